using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslKd.Benchmarks;

/// <summary>ResNet-20 written directly in TorchSharp, as mdistiller writes it in PyTorch: the residual step's reference.</summary>
public sealed class HandWrittenResNet20 : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1 = nn.Conv2d(3, 16, 3, padding: 1, bias: false);
    private readonly nn.Module<Tensor, Tensor> bn1 = nn.BatchNorm2d(16);
    private readonly nn.Module<Tensor, Tensor> layer1;
    private readonly nn.Module<Tensor, Tensor> layer2;
    private readonly nn.Module<Tensor, Tensor> layer3;
    private readonly nn.Module<Tensor, Tensor> fc = nn.Linear(64, 10);

    public HandWrittenResNet20() : base(nameof(HandWrittenResNet20))
    {
        layer1 = Stage(16, 16, 1);
        layer2 = Stage(16, 32, 2);
        layer3 = Stage(32, 64, 2);
        RegisterComponents();
    }

    private static nn.Module<Tensor, Tensor> Stage(int input, int output, int stride) =>
        nn.Sequential(new BasicBlock(input, output, stride), new BasicBlock(output, output, 1), new BasicBlock(output, output, 1));

    public override Tensor forward(Tensor x)
    {
        using var stem = F.relu(bn1.call(conv1.call(x)));
        using var a = layer1.call(stem);
        using var b = layer2.call(a);
        using var c = layer3.call(b);
        using var pooled = F.avg_pool2d(c, 8);
        using var flat = pooled.flatten(1);
        return fc.call(flat);
    }

    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1;
        private readonly nn.Module<Tensor, Tensor> bn1;
        private readonly nn.Module<Tensor, Tensor> conv2;
        private readonly nn.Module<Tensor, Tensor> bn2;
        private readonly nn.Module<Tensor, Tensor>? downsample;

        public BasicBlock(int input, int output, int stride) : base(nameof(BasicBlock))
        {
            conv1 = nn.Conv2d(input, output, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(output);
            conv2 = nn.Conv2d(output, output, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(output);
            if (stride != 1 || input != output)
                downsample = nn.Sequential(nn.Conv2d(input, output, 1, stride: stride, bias: false), nn.BatchNorm2d(output));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var a = F.relu(bn1.call(conv1.call(x)));
            using var b = bn2.call(conv2.call(a));
            using var shortcut = downsample is null ? null : downsample.call(x);
            using var sum = b + (shortcut ?? x);
            return F.relu(sum);
        }
    }
}
