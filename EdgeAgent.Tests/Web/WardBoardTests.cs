using EdgeAgent.Tracking;
using EdgeAgent.Ward;
using EdgeAgent.Web;
using EdgeAgent.Zones;

namespace EdgeAgent.Tests.Web;

public class WardBoardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static WardBoard Board(out FloorPlan plan, WebOptions? options = null)
    {
        var zones = new ZoneOptions
        {
            Areas = [new ZoneDefinition { Id = "bay3", Kind = "bay", Polygon = [[0, 0], [4, 0], [4, 4], [0, 4]] }],
        };
        plan = FloorPlan.Create(zones, [])!;
        var board = new WardBoard(options ?? new WebOptions(), TimeZoneInfo.Utc);
        board.SetPlan(plan);
        return board;
    }

    private static WardSnapshot Seen(DateTimeOffset at, params (double X, double Y)[] people) =>
        new("cam", 1, at, people.Select((p, i) => new WardPerson(i, i, $"p{i}", new BoundingBox(0, 0, 1, 1), p.X, p.Y)).ToList());

    [TestCase("2026-03-01T09:00:00Z", "2026-03-01T07:00:00Z")]
    [TestCase("2026-03-01T07:00:00Z", "2026-03-01T07:00:00Z")]
    [TestCase("2026-03-01T20:30:00Z", "2026-03-01T19:00:00Z")]
    [TestCase("2026-03-01T03:00:00Z", "2026-02-28T19:00:00Z")]
    public void ShiftStart_TheLatestChangeAtOrBeforeNow_YesterdaysNightShiftBeforeTheFirstChange(string now, string expected) =>
        Assert.That(WardBoard.ShiftStart(DateTimeOffset.Parse(now), [TimeSpan.FromHours(7), TimeSpan.FromHours(19)], TimeZoneInfo.Utc),
            Is.EqualTo(DateTimeOffset.Parse(expected)));

    [Test]
    public void Update_OccupancyAndAlerts_ShownAsOfTheEventAndVersionMoves()
    {
        WardBoard board = Board(out _);
        long before = board.Version;
        board.Update(41, T0, new Dictionary<string, IReadOnlyDictionary<string, int>> { ["bay3"] = new Dictionary<string, int> { ["nurse"] = 2 } },
            [new BoardAlert("bay3-staffed", "bay3", T0.AddMinutes(-12))]);
        BoardSnapshot s = board.Snapshot();
        Assert.That(board.Version, Is.GreaterThan(before));
        Assert.That(s.Seq, Is.EqualTo(41));
        Assert.That(s.Zones.Single().Total, Is.EqualTo(2));
        Assert.That(s.Zones.Single().Occupancy["nurse"], Is.EqualTo(2));
        Assert.That(s.Alerts.Single().Rule, Is.EqualTo("bay3-staffed"));
        long now = board.Version;
        board.Update(41, T0.AddSeconds(1), new Dictionary<string, IReadOnlyDictionary<string, int>> { ["bay3"] = new Dictionary<string, int> { ["nurse"] = 2 } },
            [new BoardAlert("bay3-staffed", "bay3", T0.AddMinutes(-12))]);
        Assert.That(board.Version, Is.EqualTo(now), "nothing new: no new snapshot is streamed");
    }

    [Test]
    public void Observe_Heatmap_CountsWhereTheFeetWereAndForgetsWhatIsOlderThanTheWindow()
    {
        WardBoard board = Board(out _, new WebOptions { HeatmapCellMetres = 1, HeatmapWindow = TimeSpan.FromMinutes(10) });
        board.Observe(Seen(T0, (0.5, 0.5), (0.6, 0.4), (3.5, 3.5)), _ => "unknown");
        board.Observe(Seen(T0.AddSeconds(1), (0.5, 0.5), (double.NaN, double.NaN)), _ => "unknown");
        board.Update(1, T0.AddSeconds(1), new Dictionary<string, IReadOnlyDictionary<string, int>>(), []);
        BoardHeatmap heat = board.Snapshot().Heatmap;
        int Cell(double x, double y) => heat.Counts[((int)Math.Floor(y - heat.Y0) * heat.Cols) + (int)Math.Floor(x - heat.X0)];
        Assert.That(Cell(0.5, 0.5), Is.EqualTo(3));
        Assert.That(Cell(3.5, 3.5), Is.EqualTo(1));
        Assert.That(heat.Counts.Sum(), Is.EqualTo(4), "an uncalibrated position counts nowhere");
        Assert.That(board.Snapshot().People, Has.Count.EqualTo(1), "the camera's latest snapshot: one person on the floor");

        board.Observe(Seen(T0.AddMinutes(11), (3.5, 0.5)), _ => "unknown");
        board.Update(2, T0.AddMinutes(11), new Dictionary<string, IReadOnlyDictionary<string, int>>(), []);
        heat = board.Snapshot().Heatmap;
        Assert.That(heat.Counts.Sum(), Is.EqualTo(1), "the first minute left the 10-minute window");
    }

    [Test]
    public void Update_Timeline_PeakPerBucketAndAlertsAndANewShiftStartsAfresh()
    {
        WardBoard board = Board(out _, new WebOptions { TimelineBucket = TimeSpan.FromMinutes(5), ShiftChanges = [TimeSpan.FromHours(7), TimeSpan.FromHours(19)] });
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Occ(int n) =>
            new Dictionary<string, IReadOnlyDictionary<string, int>> { ["bay3"] = n == 0 ? new Dictionary<string, int>() : new Dictionary<string, int> { ["nurse"] = n } };
        board.Update(1, T0.AddMinutes(1), Occ(1), []);
        board.Update(2, T0.AddMinutes(2), Occ(3), []);
        board.Update(3, T0.AddMinutes(4), Occ(0), []);
        board.Update(4, T0.AddMinutes(6), Occ(0), [new BoardAlert("r", "bay3", T0)]);
        var columns = board.Snapshot().Timeline.Columns;
        Assert.That(columns.Select(c => c.At), Is.EqualTo(new[] { T0, T0.AddMinutes(5) }));
        Assert.That(columns[0].Peak["bay3"], Is.EqualTo(3), "the most present during 09:00-09:05");
        Assert.That(columns[1].Alerts, Does.Contain("bay3"));

        board.Update(5, new DateTimeOffset(2026, 3, 1, 19, 2, 0, TimeSpan.Zero), Occ(1), []);
        BoardSnapshot night = board.Snapshot();
        Assert.That(night.ShiftStart, Is.EqualTo(new DateTimeOffset(2026, 3, 1, 19, 0, 0, TimeSpan.Zero)));
        Assert.That(night.Timeline.Columns, Has.Count.EqualTo(1), "the night shift's timeline starts empty");
    }

    [Test]
    public void Import_AfterARestartInTheSameShift_TimelineAndHeatmapComeBack_AnotherShiftsTimelineDoesNot()
    {
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Two() =>
            new Dictionary<string, IReadOnlyDictionary<string, int>> { ["bay3"] = new Dictionary<string, int> { ["nurse"] = 2 } };
        WardBoard before = Board(out FloorPlan plan);
        before.Observe(Seen(T0, (0.5, 0.5), (3.5, 3.5)), _ => "nurse");
        before.Update(7, T0, Two(), [new BoardAlert("r", "bay3", T0)]);
        string file = Path.Combine(TestAssets.NewTempDirectory(), "state", "board.json");
        new BoardStore(file).Save(before.Export());

        WardBoard after = new(new WebOptions(), TimeZoneInfo.Utc);
        after.SetPlan(plan);
        after.Import(new BoardStore(file).Load()!, T0.AddMinutes(3));
        BoardSnapshot s = after.Snapshot();
        Assert.That(s.Timeline.Columns.Single().Peak["bay3"], Is.EqualTo(2));
        Assert.That(s.Timeline.Columns.Single().Alerts, Does.Contain("bay3"));
        Assert.That(s.Heatmap.Counts.Sum(), Is.EqualTo(2), "the heatmap's minutes are back");

        WardBoard nextShift = new(new WebOptions(), TimeZoneInfo.Utc);
        nextShift.SetPlan(plan);
        nextShift.Import(new BoardStore(file).Load()!, T0.AddHours(11));   // 20:00: the night shift
        Assert.That(nextShift.Snapshot().Timeline.Columns, Is.Empty, "the day shift's timeline is not the night's");
        Assert.That(nextShift.Snapshot().Heatmap.Counts.Sum(), Is.Zero, "older than the heatmap's window");
    }

    [Test]
    public void Load_UnreadableFile_StartsEmpty()
    {
        string file = Path.Combine(TestAssets.NewTempDirectory(), "board.json");
        File.WriteAllText(file, "{ not json");
        Assert.That(new BoardStore(file).Load(), Is.Null);
        Assert.That(new BoardStore(file + ".missing").Load(), Is.Null);
    }

    [Test]
    public void BlindZone_ShownUnknownNotZero_TimelineMarksItBlindWithoutACount_CsvSaysSo()
    {
        var board = Board(out _, new WebOptions { TimelineBucket = TimeSpan.FromMinutes(5) });
        var byRole = new Dictionary<string, IReadOnlyDictionary<string, int>> { ["bay3"] = new Dictionary<string, int> { ["nurse"] = 1, ["=cmd"] = 1 } };
        board.Update(1, T0.AddMinutes(1), byRole, []);
        board.Update(2, T0.AddMinutes(6), byRole, [new BoardAlert("r", "bay3", T0.AddMinutes(6), "coverage", "no working camera sees bay3")],
            new Dictionary<string, DateTimeOffset> { ["bay3"] = T0.AddMinutes(6) });
        BoardSnapshot s = board.Snapshot();
        BoardZone zone = s.Zones.Single();
        Assert.That((zone.Blind, zone.Total, zone.BlindSince), Is.EqualTo((true, (int?)null, (DateTimeOffset?)T0.AddMinutes(6))), "unknown, never 0");
        Assert.That(zone.Occupancy, Is.Empty);
        Assert.That(s.Timeline.Columns[0].ByRole!["bay3"]["nurse"], Is.EqualTo(1));
        Assert.That(s.Timeline.Columns[1].Blind, Does.Contain("bay3"));
        Assert.That(s.Timeline.Columns[1].Peak.ContainsKey("bay3"), Is.False, "no count invented while blind");
        Assert.That(s.Roles.Select(r => r.Role), Is.SupersetOf(new[] { "nurse", "unknown" }));
        Assert.That(s.Roles.Single(r => r.Role == "unknown").Colour, Is.EqualTo(RoleColours.Unknown));

        string[] csv = board.TimelineCsv().TrimEnd('\n').Split('\n');
        Assert.That(csv[0], Is.EqualTo("period_start,zone,role,peak_people,alert,blind"));
        Assert.That(csv, Does.Contain("2026-03-01T09:00:00+00:00,bay3,*,2,0,0"));
        Assert.That(csv, Does.Contain("2026-03-01T09:00:00+00:00,bay3,nurse,1,0,0"));
        Assert.That(csv, Does.Contain("2026-03-01T09:00:00+00:00,bay3,'=cmd,1,0,0"), "a role that looks like a formula is neutralised");
        Assert.That(csv, Does.Contain("2026-03-01T09:05:00+00:00,bay3,*,,1,1"), "blind: no count, the alert and blind flags");
    }

    [Test]
    public void RoleColours_StableAndTheSameForTheLiveViewAndTheDashboard()
    {
        RoleColours.Configure(["nurse", "doctor", "porter", "cleaner"]);
        Assert.That(RoleColours.Of("nurse"), Is.EqualTo("#0072B2"), "the configured roles in order: the same colour on every page and after every restart");
        Assert.That(RoleColours.Of(null), Is.EqualTo(RoleColours.Unknown));
        Assert.That(RoleColours.Of("unknown"), Is.EqualTo(RoleColours.Unknown));
        Assert.That(new[] { "nurse", "doctor", "porter", "cleaner" }.Select(r => RoleColours.Of(r)).Distinct().Count(), Is.EqualTo(4), "configured roles never share a colour");
        Assert.That(RoleColours.Of("visitor"), Is.EqualTo("#CC79A7"), "another role: a stable hash of its name");
        OpenCvSharp.Scalar bgr = RoleColours.Bgr("#0072B2");
        Assert.That((bgr.Val0, bgr.Val1, bgr.Val2), Is.EqualTo((0xB2, 0x72, 0x00)));
    }

    [Test]
    public void Requires_TheRuleInWords()
    {
        Assert.That(WardBoard.Requires(new AvailabilityRule { Zone = "bay3", Roles = ["nurse", "doctor"], MinimumCount = 2, After = TimeSpan.FromMinutes(10) }),
            Is.EqualTo("at least 2 nurse or doctor in bay3 (alert after 10 min below)"));
        Assert.That(WardBoard.Requires(new AvailabilityRule { Zone = "west", MinimumCount = 1, After = TimeSpan.FromSeconds(5) }),
            Is.EqualTo("at least 1 person in west (alert after 5 s below)"));
    }
}
