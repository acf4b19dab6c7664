using Mailroom.Core.Common;

namespace Mailroom.Core.Messaging;

/// <summary>The rule for a message's labels: each 1 to 100 characters on one line, each once, at most 50.</summary>
public static class Labels
{
    public const int MaxCount = 50;

    public static List<string> Check(IEnumerable<string?> labels)
    {
        var checkedLabels = new List<string>();
        foreach (var label in labels)
        {
            var value = Common.Check.Required("labels", label, 100);
            if (!checkedLabels.Contains(value)) checkedLabels.Add(value);
        }
        if (checkedLabels.Count > MaxCount) throw new ValidationException("labels", $"at most {MaxCount} labels");
        return checkedLabels;
    }
}
