namespace Mailroom.Data.Repositories;

/// <summary>
/// <c>IN (…)</c> lists as parameters, a hundred values per statement, the same for both dialects (Dapper's list
/// expansion differs between providers for large lists).
/// </summary>
internal static class InList
{
    public const int ChunkSize = 100;

    /// <summary>Each chunk of <paramref name="values"/> as a parameter list (<c>@v0, @v1 …</c>) and its arguments, merged into <paramref name="args"/>.</summary>
    public static IEnumerable<(string List, Dictionary<string, object?> Args)> Chunks(IEnumerable<string> values, Dictionary<string, object?>? args = null)
    {
        foreach (var chunk in values.Chunk(ChunkSize))
        {
            var chunkArgs = new Dictionary<string, object?>(args ?? []);
            for (var i = 0; i < chunk.Length; i++) chunkArgs[$"v{i}"] = chunk[i];
            yield return (string.Join(", ", chunk.Select((_, i) => $"@v{i}")), chunkArgs);
        }
    }
}
