using System.Collections;

namespace Mailroom.Mime;

/// <summary>Header fields in the order they appeared. Lookup by name ignores case.</summary>
public sealed class HeaderList : IReadOnlyList<Header>
{
    private readonly List<Header> _headers;

    public HeaderList() => _headers = [];

    internal HeaderList(List<Header> headers) => _headers = headers;

    public int Count => _headers.Count;

    public Header this[int index] => _headers[index];

    /// <summary>Decoded value of the first field with this name, or null.</summary>
    public string? this[string name] => Find(name)?.Value;

    public Header? Find(string name)
    {
        foreach (var h in _headers)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) return h;
        return null;
    }

    public IEnumerable<Header> GetAll(string name) =>
        _headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));

    public bool Contains(string name) => Find(name) is not null;

    internal void Add(Header header) => _headers.Add(header);

    public IEnumerator<Header> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
