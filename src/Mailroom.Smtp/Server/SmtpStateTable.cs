namespace Mailroom.Smtp.Server;

/// <summary>
/// Every legal transition of a server session. A row is a command, a column the state the session is in, a cell
/// the state after the command succeeds (a failed command leaves the state as it was). <c>__</c> means the command
/// is out of sequence there and is answered <c>503 5.5.1</c>.
/// A mail transaction ends in <see cref="SmtpState.Greeted"/>: DATA once the data is received, BDAT ... LAST
/// once the last chunk is received, and any rejected chunk.
/// </summary>
public static class SmtpStateTable
{
    private const SmtpState Connected = SmtpState.Connected;
    private const SmtpState Greeted = SmtpState.Greeted;
    private const SmtpState MailFrom = SmtpState.MailFrom;
    private const SmtpState RcptTo = SmtpState.RcptTo;
    private const SmtpState Chunking = SmtpState.Chunking;
    private const SmtpState Closed = SmtpState.Closed;
    private static readonly SmtpState? __ = null;

    /// <summary>The states a session reads commands in, in the column order of the table.</summary>
    public static IReadOnlyList<SmtpState> States { get; } = [Connected, Greeted, MailFrom, RcptTo, Chunking];

    private static readonly Dictionary<SmtpVerb, SmtpState?[]> Table = new()
    {
        //                        Connected   Greeted    MailFrom   RcptTo     Chunking
        [SmtpVerb.Ehlo]     = [   Greeted,    Greeted,   Greeted,   Greeted,   Greeted  ],
        [SmtpVerb.Helo]     = [   Greeted,    Greeted,   Greeted,   Greeted,   Greeted  ],
        [SmtpVerb.StartTls] = [   __,         Connected, __,        __,        __       ],
        [SmtpVerb.Auth]     = [   __,         Greeted,   __,        __,        __       ],
        [SmtpVerb.Mail]     = [   __,         MailFrom,  __,        __,        __       ],
        [SmtpVerb.Rcpt]     = [   __,         __,        RcptTo,    RcptTo,    __       ],
        [SmtpVerb.Data]     = [   __,         __,        __,        Greeted,   __       ],
        [SmtpVerb.Bdat]     = [   __,         __,        __,        Chunking,  Chunking ],
        [SmtpVerb.Rset]     = [   Connected,  Greeted,   Greeted,   Greeted,   Greeted  ],
        [SmtpVerb.Noop]     = [   Connected,  Greeted,   MailFrom,  RcptTo,    Chunking ],
        [SmtpVerb.Vrfy]     = [   Connected,  Greeted,   MailFrom,  RcptTo,    Chunking ],
        [SmtpVerb.Help]     = [   Connected,  Greeted,   MailFrom,  RcptTo,    Chunking ],
        [SmtpVerb.Quit]     = [   Closed,     Closed,    Closed,    Closed,    Closed   ],
    };

    /// <summary>The state after <paramref name="verb"/> succeeds in <paramref name="state"/>, or null when it is out of sequence.</summary>
    public static SmtpState? Next(SmtpState state, SmtpVerb verb)
    {
        var column = state switch
        {
            Connected => 0,
            Greeted => 1,
            MailFrom => 2,
            RcptTo => 3,
            Chunking => 4,
            _ => -1,
        };
        return column < 0 ? null : Table[verb][column];
    }
}
