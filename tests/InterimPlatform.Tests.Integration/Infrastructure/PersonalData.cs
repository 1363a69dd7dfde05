using Npgsql;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>Looks for a person's data anywhere in a database: every row of every table, as text.</summary>
public static class PersonalData
{
    public static async Task<int> CountRowsMentioningAsync(string connectionString, string text)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var count = 0;
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} t WHERE t::text ILIKE @pattern", connection);
            command.Parameters.AddWithValue("pattern", $"%{text}%");
            count += Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return count;
    }
}
