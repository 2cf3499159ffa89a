using System.Globalization;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace DslKd.Package.Tests;

/// <summary>
/// The DslKd package and template as a customer gets them: packed from the current sources (once, by
/// <see cref="PackageFixture"/>), installed into fresh projects outside the repository, built and run with the `dotnet`
/// CLI. On a host whose libstdc++ is older than TorchSharp's native library wants (Debian 12), a run that trains also
/// proves the package's buildTransitive target patched the consumer's copy of that library.
/// </summary>
public sealed class PackageTests(PackageFixture package, ITestOutputHelper log) : IClassFixture<PackageFixture>
{
    [Fact]
    public void Package_holds_the_library_the_generator_as_an_analyzer_and_the_build_targets_and_depends_only_on_TorchSharp()
    {
        log.WriteLine($"Packed {package.PackageFile} and {package.TemplatePackageFile} in {package.PackDuration.TotalSeconds:F0} s.");
        using var archive = ZipFile.OpenRead(package.PackageFile);
        var entries = archive.Entries.Select(e => e.FullName).ToHashSet();
        log.WriteLine(string.Join('\n', entries.Order()));

        string[] expected =
        [
            "lib/net10.0/DslKd.Runtime.dll", "lib/net10.0/DslKd.Runtime.xml",
            "analyzers/dotnet/cs/DslKd.Generators.dll",
            "analyzers/dotnet/cs/DslKd.CodeFixes.dll",
            "buildTransitive/DslKd.targets", "buildTransitive/ElfVersionNeedPatcher.cs",
            "README.md", "DslKd.nuspec",
        ];
        foreach (var entry in expected) Assert.True(entries.Contains(entry), $"The package has no {entry}. It holds:\n{string.Join('\n', entries.Order())}");
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal) && !e.StartsWith("analyzers/dotnet/cs/", StringComparison.Ordinal));

        using (var nuspecStream = archive.GetEntry("DslKd.nuspec")!.Open())
        {
            var nuspec = XDocument.Load(nuspecStream);
            var ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("DslKd", metadata.Element(ns + "id")!.Value);
            Assert.Equal(package.Version, metadata.Element(ns + "version")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "tags")?.Value));
            var dependencies = metadata.Descendants(ns + "dependency")
                .Select(d => $"{d.Parent!.Attribute("targetFramework")?.Value}: {d.Attribute("id")!.Value} {d.Attribute("version")!.Value}")
                .ToList();
            // TorchSharp for the models; OnnxSharp (ONNX's generated protobuf classes) and Google.Protobuf for ONNX export;
            // PyBridge reads and writes torch.save's .pt files; SkiaSharp decodes image folders (docs/own-teacher-and-data.md).
            Assert.Equal(["net10.0: Google.Protobuf 3.36.2", "net10.0: OnnxSharp 0.3.2", "net10.0: SkiaSharp 3.119.0",
                "net10.0: SkiaSharp.NativeAssets.Linux.NoDependencies 3.119.0", "net10.0: TorchSharp-cpu 0.107.0",
                "net10.0: TorchSharp.PyBridge 1.4.4"], dependencies.Order(StringComparer.Ordinal));
        }

        // The generator is loaded by the customer's compiler: netstandard2.0, against the Roslyn the repository builds
        // it with (4.11, so .NET 8 and newer SDKs can load it), and nothing else that would have to ship with it.
        using var generator = new MemoryStream();
        using (var stream = archive.GetEntry("analyzers/dotnet/cs/DslKd.Generators.dll")!.Open()) stream.CopyTo(generator);
        generator.Position = 0;
        using var pe = new PEReader(generator);
        var reader = pe.GetMetadataReader();
        var references = reader.AssemblyReferences.Select(h => reader.GetAssemblyReference(h))
            .ToDictionary(r => reader.GetString(r.Name), r => r.Version);
        Assert.Equal(new Version(4, 11, 0, 0), references["Microsoft.CodeAnalysis"]);
        Assert.Equal(["Microsoft.CodeAnalysis", "Microsoft.CodeAnalysis.CSharp", "netstandard"], references.Keys.Where(k => k != "System.Collections.Immutable").Order());
    }

    [Fact]
    public void Customer_project_installs_DslKd_builds_its_models_and_distils()
    {
        var directory = package.NewProjectDirectory("Customer");
        WriteCustomerProject(directory, "Customer");
        File.WriteAllText(Path.Combine(directory, "Models.cs"), """
            using DslKd;

            namespace Customer;

            [Teacher(InputShape = [1, 8, 8], Classes = 4)]
            public partial class Teacher
            {
                [Conv2d(8, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
                public partial Block Convolutions { get; }

                [Flatten, Linear(32), ReLU]
                public partial Block Hidden { get; }

                [Linear(4)]
                public partial Block Logits { get; }
            }

            [Student(InputShape = [1, 8, 8], Classes = 4)]
            public partial class Student
            {
                [Flatten, Linear(8), ReLU]
                public partial Block Hidden { get; }

                [Linear(4)]
                public partial Block Logits { get; }
            }

            [Supervised<Teacher>]
            [Optimizer(OptimizerKind.Adam, LearningRate = 1e-2)]
            [Epochs(1), BatchSize(32), Seed(1)]
            public partial class TrainTeacher;

            [Distillation<Teacher, Student>]
            [SoftTargets(Temperature = 2, Weight = 0.5)]
            [HardLabels(Weight = 0.5)]
            [Optimizer(OptimizerKind.Adam, LearningRate = 1e-2)]
            [Epochs(1), BatchSize(32), Seed(2)]
            public partial class Distil;
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System;
            using System.Globalization;
            using Customer;
            using DslKd;
            using static TorchSharp.torch;

            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            using var generator = new Generator(7);
            using var data = new LabeledDataset(randn([128, 1, 8, 8], generator: generator), randint(0, 4, [128], generator: generator), classes: 4);

            var teacher = new Teacher(seed: 1);
            var teacherResult = new TrainTeacher(teacher).Train(data, data);
            var steps = 0;
            var progress = new SynchronousProgress<TrainingEvent>(e => { if (e is StepCompleted) steps++; });
            var result = new Distil(teacher, new Student(seed: 2), seed: 3).Train(data, data, Distil.DefaultOptions with { ReportEverySteps = 1 }, progress);

            Console.WriteLine($"teacher-parameters={Teacher.ParameterCount}");
            Console.WriteLine($"student-parameters={Student.ParameterCount}");
            Console.WriteLine($"compression={Distil.CompressionRatio:F2}");
            Console.WriteLine($"teacher-accuracy={teacherResult.Final.Evaluation!.Accuracy:F3}");
            Console.WriteLine($"distillation-steps={steps}");
            Console.WriteLine($"distillation-loss={result.Final.TrainLoss:R}");
            Console.WriteLine($"student-accuracy={result.Final.Evaluation!.Accuracy:F3}");
            """);

        var build = package.Customer(directory, PackageFixture.BuildTimeout, "build", "-nodeReuse:false");
        log.WriteLine($"build: {build.Elapsed.TotalSeconds:F0} s");
        Assert.True(build.Succeeded, build.Describe("The customer project did not build."));

        // DslKd came from this run's pack, into this run's packages folder.
        var installed = Path.Combine(package.PackagesFolder, "dslkd", package.Version.ToLowerInvariant());
        Assert.True(File.Exists(Path.Combine(installed, "analyzers", "dotnet", "cs", "DslKd.Generators.dll")), $"DslKd {package.Version} was not restored into {installed}.");
        Assert.Contains($"\"DslKd/{package.Version}\"", File.ReadAllText(Path.Combine(directory, "obj", "project.assets.json")));

        var run = package.Customer(directory, PackageFixture.RunTimeout, "run", "--no-build");
        log.WriteLine($"run: {run.Elapsed.TotalSeconds:F0} s\n{run.Output}");
        Assert.True(run.Succeeded, run.Describe("The customer program failed (if TorchSharp did not load, the package's buildTransitive native-library fix did not run)."));

        // Counted by the generator at compile time: conv 8*9+8, hidden 128*32+32, logits 32*4+4; student 64*8+8 + 8*4+4.
        Assert.Equal("4340", Value(run, "teacher-parameters"));
        Assert.Equal("556", Value(run, "student-parameters"));
        Assert.Equal("7.81", Value(run, "compression"));
        Assert.Equal("4", Value(run, "distillation-steps"));  // 128 samples in batches of 32, one epoch
        var loss = double.Parse(Value(run, "distillation-loss"), CultureInfo.InvariantCulture);
        Assert.True(double.IsFinite(loss) && loss > 0, $"The distillation loss is {loss}.");
        foreach (var key in new[] { "teacher-accuracy", "student-accuracy" })
        {
            var accuracy = double.Parse(Value(run, key), CultureInfo.InvariantCulture);
            Assert.InRange(accuracy, 0.0, 1.0);
        }
    }

    [Fact]
    public void Wrong_declaration_fails_the_customer_build_with_DKD0004_on_its_line()
    {
        var directory = package.NewProjectDirectory("Wrong");
        WriteCustomerProject(directory, "Wrong");
        File.WriteAllText(Path.Combine(directory, "Models.cs"), """
            using DslKd;

            namespace Wrong;

            [Teacher(InputShape = [1, 8, 8], Classes = 4)]
            public partial class Teacher
            {
                [Conv2d(8, Kernel = 3, Padding = 1), ReLU]
                public partial Block Convolutions { get; }

                [Linear(4)]
                public partial Block Logits { get; }
            }
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), "System.Console.WriteLine(typeof(Wrong.Teacher).Name);\n");

        var build = package.Customer(directory, PackageFixture.BuildTimeout, "build", "-nodeReuse:false");
        log.WriteLine($"build: {build.Elapsed.TotalSeconds:F0} s\n{build.Output}");
        Assert.False(build.TimedOut, build.Describe("The build timed out."));
        Assert.True(build.ExitCode != 0, build.Describe("The build of a Linear after a Conv2d without Flatten succeeded."));
        Assert.True(
            Regex.IsMatch(build.Output, @"Models\.cs\(11,\d+\): error DKD0004: Linear in block 'Logits' cannot take input of shape \[8, 8, 8\]"),
            build.Describe("The build did not report DKD0004 on the [Linear(4)] line (11)."));
        // Only the DslKd diagnostic: the generator still implements the blocks, so no follow-on compiler errors.
        Assert.False(Regex.IsMatch(build.Output, @"error CS\d+"), build.Describe("The build reported C# compiler errors besides DKD0004."));
    }

    /// <summary>
    /// The template walk-through of docs/packaging.md, run as written: its bash block, from a folder laid out like the
    /// repository after packing (artifacts/packages holds the two packages), with the version this run packed in place of
    /// the repository's. Two things differ from a user's terminal, both outside the doc's text: `dotnet new` uses an
    /// isolated template hive (so the user's templates are untouched), and packages go to this run's packages folder.
    /// </summary>
    [Fact]
    public void Template_walk_through_of_the_docs_runs_as_written()
    {
        var repositoryVersion = Regex.Match(File.ReadAllText(Path.Combine(package.RepositoryRoot, "Directory.Build.props")), @"<Version>([^<]+)</Version>").Groups[1].Value;
        var walkThrough = WalkThrough(File.ReadAllText(Path.Combine(package.RepositoryRoot, "docs", "packaging.md")));
        var templateFile = $"DslKd.Templates.{repositoryVersion}.nupkg";
        Assert.True(walkThrough.Contains(templateFile, StringComparison.Ordinal),
            $"The walk-through in docs/packaging.md should install artifacts/packages/{templateFile} (the version in Directory.Build.props):\n{walkThrough}");
        Assert.Contains("nuget.config", walkThrough);

        // The repository after `dotnet pack ... -o artifacts/packages`, as far as the walk-through reads it.
        var root = package.NewProjectDirectory("WalkThrough");
        var repository = Path.Combine(root, "repository");
        var packages = Directory.CreateDirectory(Path.Combine(repository, "artifacts", "packages")).FullName;
        File.Copy(package.PackageFile, Path.Combine(packages, Path.GetFileName(package.PackageFile)));
        File.Copy(package.TemplatePackageFile, Path.Combine(packages, Path.GetFileName(package.TemplatePackageFile)));
        var hive = Path.Combine(root, "template-hive");

        var script = $$"""
            set -euo pipefail
            dotnet() {
              local started=$SECONDS
              if [ "$1" = new ]; then command dotnet "$@" --debug:custom-hive '{{hive}}'; else command dotnet "$@"; fi
              echo "[walk-through] dotnet $1 ${2-}: $((SECONDS - started)) s"
            }
            {{walkThrough.Replace(templateFile, $"DslKd.Templates.{package.Version}.nupkg", StringComparison.Ordinal)}}
            """;
        var run = DotNet.RunBash(repository, package.CustomerEnvironment, PackageFixture.BuildTimeout + PackageFixture.RunTimeout, script);
        log.WriteLine($"walk-through: {run.Elapsed.TotalSeconds:F0} s\n{run.Output}");
        Assert.True(run.Succeeded, run.Describe("The template walk-through of docs/packaging.md failed."));

        // The project is named after its folder, and references the DslKd packed with the template by default.
        var directory = Path.Combine(root, "MyDistillation");
        var project = Path.Combine(directory, "MyDistillation.csproj");
        Assert.True(File.Exists(project), run.Describe($"The walk-through did not create {project}."));
        Assert.Contains($"<PackageReference Include=\"DslKd\" Version=\"{package.Version}\" />", File.ReadAllText(project));
        Assert.Contains("namespace MyDistillation;", File.ReadAllText(Path.Combine(directory, "Models.cs")));

        // The synthetic quadrant data is easy: both models should be nearly perfect.
        foreach (var model in new[] { "Teacher", "Student" })
        {
            var match = Regex.Match(run.Output, $@"{model} accuracy: ([0-9.]+) %");
            Assert.True(match.Success, run.Describe($"The program printed no {model.ToLowerInvariant()} accuracy."));
            Assert.True(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) >= 90, run.Describe($"The {model.ToLowerInvariant()} is under 90% accurate."));
        }
        Assert.Contains("Compression ratio: 30.4x", run.Output);

        // And it builds without warnings.
        var build = package.Customer(directory, PackageFixture.BuildTimeout, "build", "--no-restore", "--no-incremental", "-nodeReuse:false");
        Assert.True(build.Succeeded, build.Describe("The project created from the template did not build."));
        Assert.True(Regex.IsMatch(build.Output, @"\b0 Warning\(s\)"), build.Describe("The project created from the template built with warnings."));
    }

    /// <summary>The bash block of the section "The project template" of docs/packaging.md.</summary>
    private static string WalkThrough(string markdown)
    {
        var section = markdown[markdown.IndexOf("## The project template", StringComparison.Ordinal)..];
        var match = Regex.Match(section, @"```bash\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, "docs/packaging.md has no ```bash block under \"## The project template\".");
        return match.Groups[1].Value;
    }

    private void WriteCustomerProject(string directory, string name) =>
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DslKd" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);

    private static string Value(DotNetResult run, string key)
    {
        var match = Regex.Match(run.Output, $@"^{Regex.Escape(key)}=(\S+)\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, run.Describe($"The program printed no '{key}='."));
        return match.Groups[1].Value;
    }
}
