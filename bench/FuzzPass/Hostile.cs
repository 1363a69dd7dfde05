namespace InterimPlatform.Bench.FuzzPass;

/// <summary>The hostile and awkward strings every field and parameter gets.</summary>
internal static class Hostile
{
    /// <summary>SQL injection: valid text for a name or a summary, so it must be stored as it is, never run.</summary>
    public static readonly string[] Sql =
    [
        "Robert'); DROP TABLE candidates;--",
        "' OR '1'='1",
        "1; SELECT pg_sleep(10)--",
        "admin'--",
        "\" OR \"\"=\"",
        "x' UNION SELECT email, full_name FROM candidates --",
        "%' AND 1=CAST((SELECT version()) AS int) --",
        "$$; DELETE FROM engagements; $$",
    ];

    /// <summary>Script and template injection: valid text too; a client that shows it must escape it, the API stores it.</summary>
    public static readonly string[] Script =
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(document.cookie)>",
        "\"><svg/onload=alert(1)>",
        "javascript:alert(1)",
        "{{7*7}} ${7*7} <%= 7*7 %>",
        "</textarea><iframe src=//example.invalid>",
    ];

    /// <summary>Unicode that is valid text and must come back as it went in.</summary>
    public static readonly string[] ValidUnicode =
    [
        "\u202Eevil.exe\u202C right-to-left override",
        "e\u0301\u0300\u0302\u0303 Zalgo o\u0336\u0337 marks",
        "👩🏽‍💼 interim 🚀 lead",
        "\uFEFFleading BOM",
        "日本語 العربية עברית 한국어",
        "zero\u200Bwidth\u200Djoiner",
        "Ångström Zoë Łódź Ærø",
        "𝕮𝖔𝖒𝖕𝖑𝖊𝖝 astral",
    ];

    /// <summary>
    /// Unicode that is not valid text: sent as JSON escapes (a NUL, lone surrogates), so the JSON itself is well
    /// formed and the service must refuse the text.
    /// </summary>
    public static readonly string[] InvalidUnicodeJson =
    [
        "\"nul\\u0000inside\"",
        "\"lone high \\ud800 surrogate\"",
        "\"lone low \\udc00 surrogate\"",
        "\"reversed pair \\udc00\\ud800\"",
    ];

    /// <summary>The hostile strings in one list, for a deterministic round robin over fields.</summary>
    public static readonly string[] All = [.. Sql, .. Script, .. ValidUnicode];

    public static string Huge(int length) => new('A', length);
}
