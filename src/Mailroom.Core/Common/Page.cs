namespace Mailroom.Core.Common;

/// <summary>A slice of a list: <paramref name="Offset"/> items skipped, at most <paramref name="Limit"/> taken. Dialects spell it their way.</summary>
public readonly record struct PageRequest(int Offset, int Limit);

/// <summary>One slice of a list and how many items the whole list holds.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total);
