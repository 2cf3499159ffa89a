using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;

namespace DslKd;

/// <summary>Calls a run's callbacks, in list order, and remembers which have started so only those are torn down.</summary>
internal sealed class CallbackList
{
    private readonly TrainingCallback[] _callbacks;
    private int _started;

    public CallbackList(IEnumerable<TrainingCallback> callbacks)
    {
        _callbacks = callbacks.ToArray();
        if (Array.IndexOf(_callbacks, null) >= 0) throw new ArgumentException("The callback list contains null.", nameof(callbacks));
    }

    public void RunStart(TrainingContext context)
    {
        foreach (var callback in _callbacks)
        {
            _started++; // before the call: a callback that fails while starting is still torn down
            callback.OnRunStart(context);
        }
    }

    public void EpochStart(TrainingContext context)
    {
        foreach (var callback in _callbacks) callback.OnEpochStart(context);
    }

    public void StepEnd(TrainingContext context, TrainingStep step)
    {
        foreach (var callback in _callbacks) callback.OnStepEnd(context, step);
    }

    public void EpochEnd(TrainingContext context, EpochResult result)
    {
        foreach (var callback in _callbacks) callback.OnEpochEnd(context, result);
    }

    public void RunEnd(TrainingContext context)
    {
        foreach (var callback in _callbacks) callback.OnRunEnd(context);
    }

    public void Publish(TrainingContext context, TrainingEvent trainingEvent)
    {
        foreach (var callback in _callbacks) callback.OnEvent(context, trainingEvent);
    }

    /// <summary>Tears down the started callbacks in reverse order; one that fails does not keep the others from releasing theirs.</summary>
    public void Teardown(TrainingContext context)
    {
        List<Exception>? errors = null;
        for (var i = _started - 1; i >= 0; i--)
        {
            try
            {
                _callbacks[i].OnTeardown(context);
            }
            catch (Exception error)
            {
                (errors ??= []).Add(error);
            }
        }
        _started = 0;
        if (errors is [var single]) ExceptionDispatchInfo.Capture(single).Throw();
        if (errors is not null) throw new AggregateException("Several training callbacks failed to tear down.", errors);
    }
}
