using DslKd;
using DslKdApp;

// Train a teacher on a synthetic dataset, distil a much smaller student from it, and compare the two.
using var train = SyntheticData.Quadrants(count: 2000, seed: 1);
using var test = SyntheticData.Quadrants(count: 500, seed: 2);

// Both summaries and the compression ratio are compile-time constants produced by the DslKd source generator.
Console.WriteLine(TeacherCnn.Summary);
Console.WriteLine(StudentMlp.Summary);

var progress = new SynchronousProgress<TrainingEvent>(e =>
{
    if (e is EpochCompleted { Result: var epoch } completed)
        Console.WriteLine(FormattableString.Invariant(
            $"  {completed.Run} epoch {epoch.Epoch}/{completed.Epochs}: loss {epoch.TrainLoss:F3}, test accuracy {epoch.Evaluation?.Accuracy:P1}"));
});

Console.WriteLine("Training the teacher on the labels:");
var teacher = new TeacherCnn(seed: 0);
var teacherResult = new TrainTeacher(teacher).Train(train, test, progress: progress);

Console.WriteLine("Distilling the student from the teacher:");
var student = new StudentMlp(seed: 0);
var studentResult = new DistilStudent(teacher, student).Train(train, test, progress: progress);

Console.WriteLine();
Console.WriteLine(FormattableString.Invariant(
    $"Teacher accuracy: {teacherResult.Final.Evaluation!.Accuracy:P1} ({TeacherCnn.ParameterCount:N0} parameters)"));
Console.WriteLine(FormattableString.Invariant(
    $"Student accuracy: {studentResult.Final.Evaluation!.Accuracy:P1} ({StudentMlp.ParameterCount:N0} parameters)"));
Console.WriteLine(FormattableString.Invariant(
    $"Compression ratio: {DistilStudent.CompressionRatio:F1}x fewer parameters in the student"));
