namespace Mailroom.Core.Common;

/// <summary>A slice of a list: <paramref name="Offset"/> items skipped, at most <paramref name="Limit"/> taken. Dialects spell it their way.</summary>
/// <remarks>The offset is 64-bit so that any page number times any page size a dialect accepts is exact: a page past
/// the end is an empty page, never a wrapped-around one.</remarks>
public readonly record struct PageRequest(long Offset, int Limit);

/// <summary>One slice of a list and how many items the whole list holds.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total);
