namespace Mailroom.Core.Messaging;

/// <summary>The rule for a message's labels: at most 50 given, each 1 to 100 characters on one line, each kept once.</summary>
public static class Labels
{
    public const int MaxCount = 50;

    /// <remarks>The labels given are counted, duplicates included, before any is checked or compared.</remarks>
    public static List<string> Check(IReadOnlyCollection<string?> labels)
    {
        Common.Check.AtMost("labels", labels.Count, MaxCount, "labels");
        var checkedLabels = new List<string>();
        foreach (var label in labels)
        {
            var value = Common.Check.Required("labels", label, 100);
            if (!checkedLabels.Contains(value)) checkedLabels.Add(value);
        }
        return checkedLabels;
    }
}
