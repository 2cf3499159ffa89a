namespace DslKd;

/// <summary>The recurrent cell of a <see cref="RecurrentLayer"/>.</summary>
public enum RecurrentCell
{
    /// <summary>Long short-term memory (PyTorch's nn.LSTM).</summary>
    Lstm,
    /// <summary>Gated recurrent unit (PyTorch's nn.GRU).</summary>
    Gru,
}
