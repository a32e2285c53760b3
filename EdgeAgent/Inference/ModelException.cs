namespace EdgeAgent.Inference;

/// <summary>A model that cannot be used: missing, wrong hash, unknown family or failing to load. The message says which file and why.</summary>
public sealed class ModelException(string message, Exception? inner = null) : Exception(message, inner);
