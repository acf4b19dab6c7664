using System.Text;

namespace Mailroom.Mime;

/// <summary>A mailbox: optional display name and an address (empty when the header named no address).</summary>
public sealed class MailboxAddress : IEquatable<MailboxAddress>
{
    public MailboxAddress(string? name, string address)
    {
        Name = string.IsNullOrEmpty(name) ? null : name;
        Address = address;
    }

    public string? Name { get; }

    public string Address { get; }

    public override string ToString() => Name is null ? Address : $"{Name} <{Address}>";

    public bool Equals(MailboxAddress? other) => other is not null && Name == other.Name && string.Equals(Address, other.Address, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as MailboxAddress);

    public override int GetHashCode() => HashCode.Combine(Name, Address.ToLowerInvariant());

    /// <summary>All mailboxes in an address header value, group members included; never throws.</summary>
    public static IReadOnlyList<MailboxAddress> ParseList(string value) =>
        ParseGroups(value).SelectMany(g => g.Members).ToList();

    /// <summary>One mailbox with a name and an address containing '@', its angle brackets (if any) closed.</summary>
    /// <remarks><see cref="ParseList"/> reads <c>Rita &lt;rita@example.com</c> as Rita's mailbox, as received mail needs;
    /// a value given as one address is held to the syntax.</remarks>
    public static bool TryParse(string value, out MailboxAddress address)
    {
        var parser = new AddressParser(value);
        var list = parser.Parse().SelectMany(g => g.Members).ToList();
        address = list.Count == 1 ? list[0] : new MailboxAddress(null, "");
        return list.Count == 1 && list[0].Address.Contains('@') && !parser.UnclosedAngle;
    }

    /// <summary>
    /// Parses an address list with RFC 5322 obsolete syntax: comments, routes, quoted and encoded display
    /// names, groups. Mailboxes outside any group form a group with a null name.
    /// </summary>
    public static IReadOnlyList<AddressGroup> ParseGroups(string value) => new AddressParser(value).Parse();

    private sealed class AddressParser(string value)
    {
        private readonly string _s = value.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        private readonly List<AddressGroup> _groups = [];
        private readonly List<MailboxAddress> _ungrouped = [];
        private List<MailboxAddress>? _group;
        private string? _groupName;
        private readonly StringBuilder _phrase = new();
        private readonly StringBuilder _bare = new();
        private readonly List<string> _comments = [];
        private string? _angle;
        private bool _separated = true;

        /// <summary>A '&lt;' ran to the end of the value without its '&gt;'.</summary>
        public bool UnclosedAngle { get; private set; }

        public IReadOnlyList<AddressGroup> Parse()
        {
            var i = 0;
            while (i < _s.Length)
            {
                var c = _s[i];
                switch (c)
                {
                    case '"':
                        var quoted = ReadQuoted(ref i);
                        AddWord(quoted);
                        _bare.Append('"').Append(quoted).Append('"');
                        break;
                    case '(':
                        _comments.Add(ReadComment(ref i));
                        _separated = true;
                        break;
                    case '<':
                        ReadAngle(ref i);
                        _separated = true;
                        break;
                    case ',':
                        FinishMailbox();
                        i++;
                        break;
                    case ':' when _group is null && _angle is null:
                        // Mailboxes before a group form their own unnamed group, so groups keep their order.
                        if (_ungrouped.Count > 0)
                        {
                            _groups.Add(new AddressGroup(null, [.. _ungrouped]));
                            _ungrouped.Clear();
                        }
                        _groupName = PhraseText(includeComments: true);
                        _group = [];
                        Reset();
                        i++;
                        break;
                    case ';':
                        FinishMailbox();
                        if (_group is not null)
                        {
                            _groups.Add(new AddressGroup(_groupName, _group));
                            _group = null;
                            _groupName = null;
                        }
                        i++;
                        break;
                    case ' ' or '\t':
                        _separated = true;
                        _bare.Append(c);
                        i++;
                        break;
                    default:
                        if (_separated && _phrase.Length > 0) _phrase.Append(' ');
                        _phrase.Append(c);
                        _bare.Append(c);
                        _separated = false;
                        i++;
                        break;
                }
            }
            FinishMailbox();
            if (_group is not null) _groups.Add(new AddressGroup(_groupName, _group));
            if (_ungrouped.Count > 0) _groups.Add(new AddressGroup(null, [.. _ungrouped]));
            return _groups;
        }

        private void AddWord(string word)
        {
            if (_phrase.Length > 0) _phrase.Append(' ');
            _phrase.Append(word);
            _separated = true;
        }

        private string ReadQuoted(ref int i)
        {
            var sb = new StringBuilder();
            for (i++; i < _s.Length && _s[i] != '"'; i++)
            {
                if (_s[i] == '\\' && i + 1 < _s.Length) i++;
                sb.Append(_s[i]);
            }
            i++;
            return sb.ToString();
        }

        private string ReadComment(ref int i)
        {
            var sb = new StringBuilder();
            var depth = 0;
            for (; i < _s.Length; i++)
            {
                var c = _s[i];
                if (c == '\\' && i + 1 < _s.Length) { sb.Append(_s[++i]); continue; }
                if (c == '(' && depth++ == 0) continue;
                if (c == ')' && --depth == 0) { i++; break; }
                sb.Append(c);
            }
            return Rfc2047.DecodeText(sb.ToString().Trim());
        }

        private void ReadAngle(ref int i)
        {
            var sb = new StringBuilder();
            for (i++; i < _s.Length && _s[i] != '>'; i++)
            {
                if (_s[i] == '(') { _comments.Add(ReadComment(ref i)); i--; continue; }
                if (_s[i] == '"') { sb.Append('"').Append(ReadQuoted(ref i)).Append('"'); i--; continue; }
                sb.Append(_s[i]);
            }
            if (i >= _s.Length) UnclosedAngle = true;
            i++;
            _angle = sb.ToString().Trim();
        }

        private string? PhraseText(bool includeComments)
        {
            var phrase = Rfc2047.DecodeText(_phrase.ToString());
            var comments = string.Join(' ', _comments.Where(c => c.Length > 0));
            if (!includeComments || comments.Length == 0) return phrase.Length == 0 ? null : phrase;
            return phrase.Length == 0 ? comments : $"{phrase} ({comments})";
        }

        private void FinishMailbox()
        {
            MailboxAddress? mailbox = null;
            if (_angle is not null)
                mailbox = new MailboxAddress(PhraseText(includeComments: true), _angle);
            else
            {
                var bare = _bare.ToString().Trim();
                var comments = string.Join(' ', _comments.Where(c => c.Length > 0));
                if (bare.Contains('@')) mailbox = new MailboxAddress(comments, bare);
                else if (bare.Length > 0 && comments.Length > 0) mailbox = new MailboxAddress(comments, bare);
                else if (bare.Length > 0) mailbox = new MailboxAddress(PhraseText(includeComments: false), "");
                else if (comments.Length > 0 && _group is not null) mailbox = new MailboxAddress(comments, "");
            }
            if (mailbox is not null) (_group ?? _ungrouped).Add(mailbox);
            Reset();
        }

        private void Reset()
        {
            _phrase.Clear();
            _bare.Clear();
            _comments.Clear();
            _angle = null;
            _separated = true;
        }
    }
}

/// <summary>A named group of mailboxes (RFC 5322 group syntax); Name is null for mailboxes outside any group.</summary>
public sealed record AddressGroup(string? Name, IReadOnlyList<MailboxAddress> Members);
