using Xunit;

// TorchSharp's default random generator is process-wide: seeded initialisation, shuffling and dropout in one test
// would be disturbed by another test drawing random numbers on another thread. Determinism tests need them serial.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
