namespace DslKd.CodeFixes.Tests.Infrastructure;

/// <summary>Valid models the recipes under test distil; appended to a test's source so it is one document.</summary>
internal static class Models
{
    public const string WideCnnAndSmallMlp = """

        [Teacher(InputShape = [1, 28, 28], Classes = 10)]
        public partial class WideCnn
        {
            [Conv2d(32, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
            public partial Block Stem { get; }

            [Flatten, Linear(64), ReLU]
            public partial Block Hidden { get; }

            [Linear(10)]
            public partial Block Logits { get; }
        }

        [Student(InputShape = [1, 28, 28], Classes = 10)]
        public partial class SmallMlp
        {
            [Flatten, Linear(16), ReLU]
            public partial Block Hidden { get; }

            [Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>A small convolutional student whose Stem map has WideCnn's Stem's spatial size, for attention transfer.</summary>
    public const string SmallCnn = """

        [Student(InputShape = [1, 28, 28], Classes = 10)]
        public partial class SmallCnn
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
            public partial Block Stem { get; }

            [Flatten, Linear(10)]
            public partial Block Logits { get; }
        }
        """;
}
