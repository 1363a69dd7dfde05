using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Pool;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Bench.MatchingRanking;

/// <summary>A candidate as Matching holds them: the facets of Candidates' events and the placements Engagements announced.</summary>
internal sealed record PoolMember(
    Guid Id,
    CandidateProfile Profile,
    CandidateAvailability Availability,
    CandidateVetting Vetting,
    IReadOnlyList<PlacementRecord> Placements,
    DateTimeOffset RegisteredAt)
{
    /// <summary>The periods the person is actually taken, as Matching derives them from its placement rows.</summary>
    public IEnumerable<Placement> PlacedPeriods => Placements.Select(p => p.Period()).OfType<Placement>();
}

/// <summary>
/// A synthetic but plausible European interim pool. Deterministic: the same size and seed give the same
/// candidates, so the pool can be streamed again (into the database) instead of being kept in memory while
/// the index's own footprint is measured. Skills and industries come lower-case, as Candidates stores them.
/// </summary>
internal static class CandidatePool
{
    private sealed record Country(string Code, string Currency, int Weight, string[] Languages, string[] Cities);

    private static readonly Country[] Countries =
    [
        new("DE", "EUR", 18, ["de"], ["Berlin", "Munich", "Hamburg", "Frankfurt", "Stuttgart", "Düsseldorf"]),
        new("GB", "GBP", 12, ["en"], ["London", "Manchester", "Birmingham", "Leeds", "Edinburgh"]),
        new("FR", "EUR", 11, ["fr"], ["Paris", "Lyon", "Marseille", "Toulouse", "Lille"]),
        new("NL", "EUR", 9, ["nl"], ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"]),
        new("BE", "EUR", 4, ["nl", "fr"], ["Brussels", "Antwerp", "Ghent", "Liège"]),
        new("AT", "EUR", 4, ["de"], ["Vienna", "Graz", "Linz", "Salzburg"]),
        new("CH", "CHF", 5, ["de", "fr", "it"], ["Zurich", "Geneva", "Basel", "Lausanne", "Bern"]),
        new("IT", "EUR", 6, ["it"], ["Milan", "Rome", "Turin", "Bologna"]),
        new("ES", "EUR", 6, ["es"], ["Madrid", "Barcelona", "Valencia", "Bilbao"]),
        new("SE", "SEK", 5, ["sv"], ["Stockholm", "Gothenburg", "Malmö"]),
        new("NO", "NOK", 3, ["no"], ["Oslo", "Bergen", "Stavanger"]),
        new("DK", "DKK", 3, ["da"], ["Copenhagen", "Aarhus", "Odense"]),
        new("PL", "PLN", 5, ["pl"], ["Warsaw", "Kraków", "Wrocław", "Poznań"]),
        new("IE", "EUR", 3, ["en"], ["Dublin", "Cork", "Galway"]),
        new("FI", "EUR", 2, ["fi", "sv"], ["Helsinki", "Espoo", "Tampere"]),
        new("PT", "EUR", 2, ["pt"], ["Lisbon", "Porto"]),
    ];

    private static readonly int[] CountryWeights = [.. Countries.Select(c => c.Weight)];

    private static readonly string[] ForeignLanguages = ["en", "de", "fr", "es", "it", "nl", "sv", "pl", "pt", "da", "no", "fi"];

    private static readonly string[] EnglishLevels = ["fluent", "professional", "basic"];

    private static readonly string[] FirstNames =
    [
        "Anna", "Lukas", "Sophie", "Maximilian", "Emma", "Jonas", "Marie", "Felix", "Laura", "Paul", "Charlotte", "Thomas",
        "Julia", "Stefan", "Claire", "Pierre", "Camille", "Nicolas", "Isabelle", "Olivier", "James", "Oliver", "Emily",
        "William", "Sarah", "David", "Eva", "Jan", "Sanne", "Pieter", "Lotte", "Giulia", "Marco", "Francesca", "Luca",
        "Carmen", "Javier", "Lucía", "Pablo", "Erik", "Ingrid", "Lars", "Astrid", "Magnus", "Kasia", "Piotr", "Agnieszka",
        "Tomasz", "Siobhan", "Ciarán", "Aino", "Mikko", "Inês", "João", "Helena", "Andreas", "Katrin", "Matthias", "Nina", "Rafael",
    ];

    private static readonly string[] LastNames =
    [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch",
        "Richter", "Klein", "Wolf", "Neumann", "Braun", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard",
        "Petit", "Durand", "Leroy", "Moreau", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Walker",
        "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Peeters", "Janssens", "Maes", "Gruber",
        "Huber", "Bauer", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "García", "Fernández", "González", "Martínez",
        "López", "Andersson", "Johansson", "Karlsson", "Nilsson", "Hansen", "Johansen", "Olsen", "Nielsen", "Jensen",
        "Pedersen", "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Murphy", "Kelly", "O'Brien", "Korhonen", "Virtanen",
        "Silva", "Santos", "Ferreira", "Keller", "Frei",
    ];

    /// <summary>Industries, most common first.</summary>
    public static readonly string[] Industries =
    [
        "manufacturing", "automotive", "banking", "software", "retail", "healthcare", "insurance", "consumer goods",
        "pharmaceuticals", "logistics", "energy", "it services", "chemicals", "telecommunications", "professional services",
        "food and beverage", "construction", "public sector", "e-commerce", "medical devices", "utilities", "renewables",
        "private equity", "asset management", "fintech", "media", "electronics", "aerospace and defence", "real estate",
        "aviation", "rail", "shipping", "oil and gas", "semiconductors", "education", "hospitality", "agriculture", "steel",
        "mining", "textiles",
    ];

    /// <summary>Skills: the generic ones interim managers list most come first; the rest is shuffled into the long tail.</summary>
    public static readonly string[] Skills = SkillsByPopularity();

    private static readonly int[] DisciplineWeights = [14, 16, 8, 12, 12, 8, 5, 7, 4, 4, 2, 3, 3, 4];

    private static readonly string[] Roles =
    [
        "Interim Managing Director", "Interim CFO", "Interim CHRO", "Interim CIO", "Interim COO", "Interim Head of Sales",
        "Interim CMO", "Interim Head of Supply Chain", "Interim Head of Product", "Interim Head of Process Excellence",
        "Interim Head of Back Office", "Interim General Counsel", "Interim Head of Engineering", "Interim CPO",
    ];

    /// <summary>The day rate range by highest level, in euros.</summary>
    private static readonly (int Min, int Max)[] EuroRates = [(600, 1_100), (800, 1_400), (1_000, 1_900), (1_400, 2_500)];

    private static readonly double[] SkillPopularity = Zipf(Skills.Length, 0.9);
    private static readonly double[] IndustryPopularity = Zipf(Industries.Length, 0.7);

    public static IEnumerable<PoolMember> Generate(int count, int seed, DateOnly today)
    {
        var random = new Random(seed);
        var registeredBase = today.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            var id = NewId(random);
            var country = Countries[Pick(random, CountryWeights)];
            var levels = Levels(random);
            var disciplines = DrawDistinct(random, random.Next(1, 4), r => Pick(r, DisciplineWeights)).Select(d => RankingVocabulary.Disciplines[d]).ToArray();
            var industries = DrawDistinct(random, random.Next(1, 4), r => Draw(r, IndustryPopularity)).Select(d => Industries[d]).ToArray();
            var engagementTypes = EngagementTypes(random);
            var (rate, currency) = DayRate(random, country, levels);
            var profile = new CandidateProfile(
                $"{FirstNames[random.Next(FirstNames.Length)]} {LastNames[random.Next(LastNames.Length)]}",
                country.Code,
                random.NextDouble() < 0.9 ? country.Cities[random.Next(country.Cities.Length)] : null,
                RemotePossible: random.NextDouble() < 0.55,
                WillingToTravel: random.NextDouble() < 0.7,
                WillingToRelocate: random.NextDouble() < 0.2,
                Languages(random, country),
                levels,
                disciplines,
                industries,
                DrawDistinct(random, random.Next(5, 16), r => Draw(r, SkillPopularity)).Select(s => Skills[s]).ToArray(),
                engagementTypes,
                TrackRecord(random, today, industries, engagementTypes, levels, disciplines),
                rate,
                currency);
            var registeredAt = new DateTimeOffset(registeredBase.AddDays(-random.Next(0, 2_000)));
            yield return new PoolMember(id, profile, Availability(random, today), Vetting(random, today), Placements(random, id, today, registeredAt), registeredAt);
        }
    }

    private static Guid NewId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)(bytes[6] & 0x0F | 0x40); // version 4, RFC 4122 variant: like any random uuid
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>One level, and in four cases of ten the next one up or down as well.</summary>
    private static string[] Levels(Random random)
    {
        var level = Pick(random, [20, 35, 30, 15]);
        if (random.NextDouble() >= 0.4)
        {
            return [RankingVocabulary.Levels[level]];
        }

        var other = level == 0 ? 1 : level == 3 ? 2 : level + (random.NextDouble() < 0.5 ? -1 : 1);
        return [RankingVocabulary.Levels[Math.Min(level, other)], RankingVocabulary.Levels[Math.Max(level, other)]];
    }

    private static string[] EngagementTypes(Random random)
    {
        double[] likelihood = [0.6, 0.5, 0.35, 0.35, 0.2, 0.3];
        var types = RankingVocabulary.EngagementTypes.Where((_, i) => random.NextDouble() < likelihood[i]).ToArray();
        return types.Length > 0 ? types : [RankingVocabulary.EngagementTypes[random.Next(RankingVocabulary.EngagementTypes.Count)]];
    }

    /// <summary>A rate by the highest level, in the country's currency rounded as people quote it; a few state none.</summary>
    private static (decimal? Rate, string? Currency) DayRate(Random random, Country country, string[] levels)
    {
        if (random.NextDouble() < 0.03)
        {
            return (null, null);
        }

        var (min, max) = EuroRates[RankingVocabulary.IndexOf(RankingVocabulary.Levels, levels[^1])];
        var euros = min + random.Next(max - min + 1);
        var perUnit = RankingWeights.Standard.EurPerUnit[country.Currency];
        var step = perUnit < 0.5m ? 100m : 25m;
        return (Math.Round(euros / perUnit / step) * step, country.Currency);
    }

    private static LanguageSkill[] Languages(Random random, Country country)
    {
        var languages = new List<LanguageSkill> { new(country.Languages[random.Next(country.Languages.Length)], "native") };
        foreach (var national in country.Languages.Where(l => languages.All(s => s.Code != l)))
        {
            if (random.NextDouble() < 0.6)
            {
                languages.Add(new(national, random.NextDouble() < 0.5 ? "fluent" : "professional"));
            }
        }

        if (languages.All(l => l.Code != "en") && random.NextDouble() < 0.85)
        {
            languages.Add(new("en", EnglishLevels[Pick(random, [50, 35, 15])]));
        }

        for (var extra = Pick(random, [50, 35, 15]); extra > 0; extra--)
        {
            var code = ForeignLanguages[random.Next(ForeignLanguages.Length)];
            if (languages.All(l => l.Code != code))
            {
                languages.Add(new(code, RankingVocabulary.LanguageLevels[Pick(random, [40, 35, 20, 5])]));
            }
        }

        return [.. languages];
    }

    /// <summary>Past assignments mostly in the candidate's own industries, types and levels; outcomes mostly good.</summary>
    private static PastAssignment[] TrackRecord(Random random, DateOnly today, string[] industries, string[] types, string[] levels, string[] disciplines)
    {
        var count = random.NextDouble() < 0.1 ? 0 : 1 + (int)(random.NextDouble() * random.NextDouble() * 8);
        var record = new PastAssignment[count];
        for (var i = 0; i < count; i++)
        {
            var level = random.NextDouble() < 0.8
                ? levels[random.Next(levels.Length)]
                : RankingVocabulary.Levels[random.Next(RankingVocabulary.Levels.Count)];
            var rating = Pick(random, [30, 2, 5, 18, 27, 18]);
            record[i] = new PastAssignment(
                random.NextDouble() < 0.7 ? industries[random.Next(industries.Length)] : Industries[Draw(random, IndustryPopularity)],
                Roles[RankingVocabulary.IndexOf(RankingVocabulary.Disciplines, disciplines[random.Next(disciplines.Length)])],
                random.NextDouble() < 0.75 ? types[random.Next(types.Length)] : RankingVocabulary.EngagementTypes[random.Next(RankingVocabulary.EngagementTypes.Count)],
                level,
                random.Next(3, 19),
                RankingVocabulary.Outcomes[Pick(random, [20, 45, 20, 8, 7])],
                rating == 0 ? null : rating,
                today.AddDays(-random.Next(30, 3_000)));
        }

        return record;
    }

    private static CandidateAvailability Availability(Random random, DateOnly today)
    {
        DateOnly? from = random.NextDouble() < 0.4 ? null : today.AddDays(random.Next(-30, 241));
        DateOnly? until = random.NextDouble() < 0.75 ? null : (from ?? today).AddDays(random.Next(30, 401));
        int[] notices = [0, 14, 30, 60, 90];
        var notice = random.NextDouble() < 0.05 ? random.Next(0, 91) : notices[Pick(random, [30, 10, 30, 15, 10])];
        return new CandidateAvailability(from, until, notice, 5 - Pick(random, [60, 25, 15]));
    }

    /// <summary>Under half approved (some overdue for re-vetting), the rest somewhere along the vetting path.</summary>
    private static CandidateVetting Vetting(Random random, DateOnly today)
    {
        var status = RankingVocabulary.VettingStatuses[Pick(random, [16, 12, 10, 7, 45, 6, 4])];
        if (status != "approved")
        {
            return new CandidateVetting(status, null);
        }

        var roll = random.NextDouble();
        return new CandidateVetting(status, roll < 0.12 ? today.AddDays(-random.Next(1, 366)) : roll < 0.15 ? null : today.AddDays(random.Next(1, 731)));
    }

    /// <summary>A few percent are placed (now or soon) on an engagement; some of those placements ended early.</summary>
    private static PlacementRecord[] Placements(Random random, Guid candidateId, DateOnly today, DateTimeOffset registeredAt)
    {
        if (random.NextDouble() >= 0.04)
        {
            return [];
        }

        var placements = new PlacementRecord[random.NextDouble() < 0.8 ? 1 : 2];
        for (var i = 0; i < placements.Length; i++)
        {
            var first = today.AddDays(random.Next(-120, 151));
            var last = first.AddDays(7 * random.Next(4, 53) - 1);
            placements[i] = new PlacementRecord
            {
                PlacementId = NewId(random),
                EngagementId = NewId(random),
                CandidateId = candidateId,
                FirstDay = first,
                LastDay = last,
                EndedOn = random.NextDouble() < 0.15 ? first.AddDays(random.Next(0, last.DayNumber - first.DayNumber + 1)) : null,
                UpdatedAt = registeredAt,
            };
        }

        return placements;
    }

    /// <summary>Index by weight.</summary>
    private static int Pick(Random random, int[] weights)
    {
        var roll = random.Next(weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    /// <summary>Cumulative Zipf probabilities: rank r is drawn in proportion to 1 / r^s.</summary>
    private static double[] Zipf(int count, double exponent)
    {
        var cumulative = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += 1 / Math.Pow(i + 1, exponent);
            cumulative[i] = sum;
        }

        for (var i = 0; i < count; i++)
        {
            cumulative[i] /= sum;
        }

        return cumulative;
    }

    private static int Draw(Random random, double[] cumulative)
    {
        var at = Array.BinarySearch(cumulative, random.NextDouble());
        return Math.Min(at < 0 ? ~at : at, cumulative.Length - 1);
    }

    private static List<int> DrawDistinct(Random random, int count, Func<Random, int> draw)
    {
        var drawn = new List<int>(count);
        for (var attempts = 0; drawn.Count < count && attempts < count * 20; attempts++)
        {
            var value = draw(random);
            if (!drawn.Contains(value))
            {
                drawn.Add(value);
            }
        }

        return drawn;
    }

    private static string[] SkillsByPopularity()
    {
        string[] common =
        [
            "project management", "stakeholder management", "change management", "leadership", "budgeting", "team building",
            "strategy development", "process optimisation", "reporting", "negotiation", "restructuring", "lean management",
            "controlling", "business development", "cost reduction", "financial planning", "agile", "risk management",
            "post-merger integration", "turnaround", "kpi management", "performance management", "sap", "supply chain management",
            "operational excellence", "forecasting", "ifrs", "cash management", "coaching", "communication", "recruiting",
            "procurement", "digital transformation", "compliance", "organisational design", "product management",
            "key account management", "quality management", "six sigma", "programme management",
        ];
        string[] tail =
        [
            // finance
            "consolidation", "treasury", "working capital management", "us gaap", "hgb", "management reporting", "internal audit",
            "tax", "transfer pricing", "m&a", "due diligence", "carve-out", "refinancing", "insolvency", "investor relations",
            "fp&a", "sap fi", "sap co", "oracle financials", "business partnering", "pricing", "capex planning", "sox",
            "esg reporting", "csrd", "credit management", "accounts payable", "accounts receivable", "cost accounting", "valuation",
            "fundraising", "bank relations", "liquidity planning", "group reporting", "shared services", "purchase-to-pay",
            "order-to-cash", "record-to-report", "ifrs 16", "basel iii", "solvency ii",
            // people
            "hr transformation", "workday", "successfactors", "talent management", "compensation and benefits", "labour law",
            "works council negotiations", "employer branding", "learning and development", "succession planning", "hr analytics",
            "payroll", "executive search", "diversity and inclusion", "employee relations", "onboarding", "workforce planning",
            "hr business partnering", "collective bargaining", "outplacement",
            // it
            "sap s/4hana", "data migration", "scrum", "safe", "prince2", "pmp", "itil", "jira", "cloud migration", "azure", "aws",
            "google cloud", "kubernetes", "cybersecurity", "iso 27001", "it strategy", "enterprise architecture", "cloud architecture",
            "data governance", "data analytics", "business intelligence", "power bi", "tableau", "salesforce", "microsoft dynamics",
            "erp implementation", "crm implementation", "software development", "devops", "it outsourcing", "vendor management",
            "service management", "testing", "requirements engineering", "machine learning", "artificial intelligence",
            "data warehousing", "sql", "python", "network infrastructure", "it security", "gdpr", "nis2", "dora",
            "identity and access management", "application management", "it carve-out", "mainframe", "sap bw", "sap mm", "sap sd",
            "sap pp", "sap apo", "sap ewm",
            // operations
            "lean six sigma", "kaizen", "tpm", "5s", "shopfloor management", "production planning", "plant management",
            "capacity planning", "industrial engineering", "maintenance management", "health and safety", "iso 9001", "iatf 16949",
            "gmp", "fda compliance", "medical device regulation", "value stream mapping", "manufacturing execution systems",
            "industry 4.0", "automation", "plant relocation", "plant closure", "footprint optimisation", "make-or-buy",
            "quality assurance", "root cause analysis", "process mining", "bpmn", "process automation", "robotic process automation",
            // supply chain and procurement
            "s&op", "demand planning", "inventory management", "warehouse management", "logistics", "transport management",
            "strategic sourcing", "supplier management", "category management", "contract management", "spend analysis", "tendering",
            "public procurement", "supplier development", "global sourcing", "customs", "distribution", "network design",
            "last-mile delivery", "fleet management",
            // sales and marketing
            "b2b sales", "b2c sales", "sales management", "channel management", "distributor management", "brand management",
            "digital marketing", "crm", "e-commerce", "marketing automation", "market research", "go-to-market", "pricing strategy",
            "customer experience", "customer service", "product marketing", "content marketing", "seo", "public relations",
            "trade marketing", "retail management", "franchise management", "export", "international expansion", "market entry",
            "sales excellence", "tender management", "inside sales", "customer success", "subscription business",
            // product and engineering
            "product strategy", "product lifecycle management", "roadmapping", "user research", "design thinking",
            "systems engineering", "r&d management", "innovation management", "mechanical engineering", "electrical engineering",
            "embedded systems", "functional safety", "iso 26262", "homologation", "battery technology", "e-mobility",
            "renewable energy", "energy management", "construction management", "facility management", "real estate management",
            "asset management", "clinical operations", "regulatory affairs", "pharmacovigilance",
            // governance and general
            "corporate law", "contract law", "corporate governance", "litigation", "intellectual property", "anti-corruption",
            "sanctions compliance", "data protection", "board advisory", "supervisory board", "crisis management",
            "crisis communication", "business continuity", "company founding", "scale-up", "family business succession",
            "public sector reform", "pmo", "portfolio management", "okr", "balanced scorecard", "benchmarking",
            "business case development", "operating model", "target operating model", "shared service centre setup",
            "nearshoring", "offshoring", "outsourcing", "insourcing", "sustainability", "decarbonisation", "circular economy",
            "sustainability reporting", "workshop facilitation", "mediation",
        ];
        new Random(7).Shuffle(tail);
        return [.. common, .. tail];
    }
}
