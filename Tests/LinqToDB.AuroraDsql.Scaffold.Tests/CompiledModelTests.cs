using System.Reflection;

namespace LinqToDB.AuroraDsql.Scaffold.Tests;

/// <summary>
/// The generated model compiles (nullable enabled, every warning an error, XML documentation checked) and works: rows go in and
/// come back through the generated data connection, associations and views included.
/// </summary>
public sealed class CompiledModelTests
{
	// Uses the Pascal model: every column type (date as DateOnly, time as TimeOnly by default), identity (uuid and bigint, CACHE 1 ALWAYS), associations both ways, a view.
	const string PascalProbe = """
		using System;
		using System.Globalization;
		using System.Linq;

		using LinqToDB;
		using LinqToDB.Data;

		using Shop.Model;

		/// <summary>Uses the generated model.</summary>
		public static class Probe
		{
			/// <summary>Writes and reads rows; returns what came back.</summary>
			public static string Run(DataOptions options)
			{
				using var db = new ShopDb(options);

				var ownerId = (Guid)db.InsertWithIdentity(new Owner { Name = "Ann", Email = "ann@example.com", CreatedAt = DateTimeOffset.UtcNow });
				db.Insert(new OwnerProfile { OwnerId = ownerId, Bio = "likes dogs" });
				var petId = db.InsertWithInt64Identity(new Pet { OwnerId = ownerId, Name = "Rex", Tag = "r-1", WeightKg = 12.5m, BirthDate = new DateOnly(2020, 1, 2) });

				var allId = db.InsertWithInt64Identity(new AllType
				{
					CSmallint    = 1,
					CInteger     = 2,
					CBigint      = 3_000_000_000L,
					CReal        = 1.5f,
					CDouble      = 2.25,
					CNumeric     = 12345678.1234m,
					CNumericBig  = 12345678901234567890m,
					CChar        = "abc",
					CChar1       = 'x',
					CVarchar     = "varchar",
					CText        = "text",
					CBytea       = new byte[] { 1, 2, 3 },
					CBoolean     = true,
					CDate        = new DateOnly(2024, 2, 29),
					CTime        = new TimeOnly(13, 14, 15, 123),
					CTime3       = new TimeOnly(1, 2, 3, 456),
					CTimetz      = new DateTimeOffset(1, 1, 2, 10, 30, 0, TimeSpan.Zero),
					CTimestamp   = new DateTime(2024, 1, 2, 3, 4, 5),
					CTimestamp3  = new DateTime(2024, 1, 2, 3, 4, 5, 678),
					CTimestamptz = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
					CInterval    = new TimeSpan(1, 2, 3, 4),
					CUuid        = new Guid("0a0b0c0d-0e0f-1011-1213-141516171819"),
					CJson        = "{\"a\": 1}",
					CJsonb       = "{\"b\": [1, 2]}",
				});

				var all  = db.AllTypes.Single(a => a.Id == allId);
				var pet  = db.Pets.LoadWith(p => p.Owner).ThenLoad(o => o.OwnerProfile).Single(p => p.Id == petId);
				var view = db.PetOwnerViews.Single(v => v.PetId == petId);
				var pets = db.Owners.Where(o => o.Id == ownerId).SelectMany(o => o.Pets).Select(p => p.Name).ToList();

				return string.Join("|", new object?[]
				{
					pet.Name, pet.Owner.Name, pet.Owner.OwnerProfile?.Bio, view.OwnerName, string.Join(",", pets),
					all.CSmallint, all.CInteger, all.CBigint, all.CReal, all.CDouble, all.CNumeric, all.CNumericBig, all.CChar, all.CChar1,
					all.CVarchar, all.CText, Convert.ToHexString(all.CBytea!), all.CBoolean, all.CDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
					all.CTime?.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture), all.CTime3?.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture), all.CTimetz?.TimeOfDay, all.CTimetz?.Offset,
					all.CTimestamp?.ToString("O", CultureInfo.InvariantCulture), all.CTimestamp3?.ToString("O", CultureInfo.InvariantCulture),
					all.CTimestamptz?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
					all.CInterval, all.CUuid, all.CJson, all.CJsonb,
				}.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
			}
		}
		""";

	// Uses the preserved-names model (nullable reference types off): a self-referencing association in both directions.
	const string PreserveProbe = """
		using System.Linq;

		using LinqToDB;
		using LinqToDB.Data;

		using Shop.Raw;

		/// <summary>Uses the generated model.</summary>
		public static class Probe
		{
			/// <summary>Writes and reads rows; returns what came back.</summary>
			public static string Run(DataOptions options)
			{
				using var db = new RawDb(options);

				var bossId = db.InsertWithInt64Identity(new employee { name = "Boss" });
				db.Insert(new employee { name = "Dev", manager_id = bossId });

				var reports = db.employee.Where(e => e.id == bossId).SelectMany(e => e.employee_by_manager).Select(e => e.name).ToList();
				var manager = db.employee.Where(e => e.manager_id == bossId).Select(e => e.manager.name).Single();

				return string.Join(",", reports) + "|" + manager;
			}
		}
		""";

	[Test]
	public void PascalModelCompilesAndRoundTripsEveryColumnType()
	{
		using var output = new TempDirectory();
		Cases.Generate(Cases.Pascal, output.Path);

		var result = Run("PascalModel", output.Path, PascalProbe);

		result.Split('|').Should().Equal(
			"Rex", "Ann", "likes dogs", "Ann", "Rex",
			"1", "2", "3000000000", "1.5", "2.25", "12345678.1234", "12345678901234567890", "abc", "x",
			"varchar", "text", "010203", "True", "2024-02-29",
			"13:14:15.1230000", "01:02:03.4560000", "10:30:00", "00:00:00",
			"2024-01-02T03:04:05.0000000", "2024-01-02T03:04:05.6780000",
			"2024-01-02T03:04:05.0000000+00:00",
			"1.02:03:04", "0a0b0c0d-0e0f-1011-1213-141516171819", "{\"a\": 1}", "{\"b\": [1, 2]}");
	}

	// Uses the model with every type option away from its default: DateTime, TimeSpan, DateTime for timestamptz, JsonDocument.
	const string EverythingProbe = """
		using System;
		using System.Globalization;
		using System.Linq;
		using System.Text.Json;

		using LinqToDB;
		using LinqToDB.Data;

		using Shop.Everything;

		/// <summary>Uses the generated model.</summary>
		public static class Probe
		{
			/// <summary>Writes and reads rows; returns what came back.</summary>
			public static string Run(DataOptions options)
			{
				using var db = new ShopDb(options);

				using var json  = JsonDocument.Parse("{\"a\": 1}");
				using var jsonb = JsonDocument.Parse("{\"b\": [1, 2]}");

				var id = db.InsertWithInt64Identity(new AllType
				{
					CInteger     = 1,
					CNumeric     = 1m,
					CText        = "t",
					CDate        = new DateTime(2024, 2, 29),
					CTime        = new TimeSpan(13, 14, 15),
					CTimestamptz = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
					CJson        = json,
					CJsonb       = jsonb,
				});

				var all = db.AllTypes.Single(a => a.Id == id);

				return string.Join("|",
					all.CDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
					all.CTime?.ToString(),
					all.CTimestamptz?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
					all.CJson?.RootElement.GetProperty("a").GetInt32().ToString(CultureInfo.InvariantCulture),
					all.CJsonb?.RootElement.GetProperty("b").GetArrayLength().ToString(CultureInfo.InvariantCulture));
			}
		}
		""";

	[Test]
	public void EveryTypeOptionCompilesAndRoundTrips()
	{
		using var output = new TempDirectory();
		Cases.Generate(Cases.Everything, output.Path);

		Run("EverythingModel", output.Path, EverythingProbe).Should().Be("2024-02-29|13:14:15|2024-01-02T03:04:05.0000000Z|1|2");
	}

	[Test]
	public void PreservedNamesModelCompilesAndQueries()
	{
		using var output = new TempDirectory();
		Cases.Generate(Cases.Preserve, output.Path);

		Run("PreserveModel", output.Path, PreserveProbe).Should().Be("Dev|Boss");
	}

	internal static string Run(string assemblyName, string directory, string probe)
	{
		var image    = ModelCompiler.Compile(assemblyName, Cases.Sources(directory).Append(("Probe.cs", probe)));
		var assembly = ModelCompiler.Load(image);
		var run      = assembly.GetType("Probe", throwOnError: true)!.GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!;

		try
		{
			return (string)run.Invoke(null, [TestDatabase.Options])!;
		}
		catch (TargetInvocationException ex) when (ex.InnerException != null)
		{
			throw new AssertionException("The probe failed: " + ex.InnerException, ex.InnerException);
		}
	}
}
