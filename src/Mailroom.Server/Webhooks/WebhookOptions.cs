namespace Mailroom.Server.Webhooks;

/// <summary>The <c>Mailroom:Webhooks</c> section.</summary>
public sealed class WebhookOptions
{
    /// <summary>Allow targets on loopback and private networks (tests and closed installations only).</summary>
    public bool AllowPrivateTargets { get; set; }
    public static readonly double[] DefaultRetrySchedule = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

    /// <summary>Delay before each attempt, in seconds: the first is immediate; about 27 hours in all by default.</summary>
    /// <remarks>Null by default: configuration binding appends to a non-empty default instead of replacing it.</remarks>
    public double[]? RetrySchedule { get; set; }

    public double[] Schedule => RetrySchedule is { Length: > 0 } configured ? configured : DefaultRetrySchedule;
    /// <summary>An endpoint that has failed without a single success for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    public int Concurrency { get; set; } = 8;
}
