namespace Phyr.Domain.Mm;

public enum GupError
{
    /// <summary>-EFAULT: no VMA, or a VMA whose pages cannot be pinned (VM_PFNMAP device memory).</summary>
    Efault,
}

/// <summary>A GUP call failed as the kernel's would, with its errno and the reason.</summary>
public sealed class GupException(GupError error, string reason) : Exception($"-{error.ToString().ToUpperInvariant()}: {reason}")
{
    public GupError Error { get; } = error;
}
