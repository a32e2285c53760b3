using System.Text;
using System.Text.Json;
using CloudSync.Commands;

namespace EdgeAgent.Tests.CloudSync;

public class CommandIntakeTests
{
    private static CommandIntake NewIntake(List<string>? ran = null)
    {
        var intake = new CommandIntake(TimeProvider.System);
        intake.Register("ping", args => { ran?.Add("ping"); return JsonSerializer.SerializeToElement(new { pong = true }); });
        intake.Register("restart-camera", args =>
        {
            if (!args.TryGetProperty("camera", out JsonElement c) || c.ValueKind != JsonValueKind.String)
                throw new CommandRejectedException("args.camera: required, a camera name");
            ran?.Add($"restart {c.GetString()}");
            return null;
        });
        return intake;
    }

    private static CommandReply Handle(CommandIntake intake, string json) => intake.Handle(Encoding.UTF8.GetBytes(json));

    [Test]
    public void WellFormedCommand_RunsOnce_RepeatedIdIsADuplicateNotRunAgain()
    {
        var ran = new List<string>();
        CommandIntake intake = NewIntake(ran);
        CommandReply first = Handle(intake, """{"id":"c-1","verb":"ping"}""");
        CommandReply again = Handle(intake, """{"id":"c-1","verb":"ping"}""");
        Assert.That(first.Status, Is.EqualTo("done"));
        Assert.That(first.Result!.Value.GetProperty("pong").GetBoolean(), Is.True);
        Assert.That(again.Status, Is.EqualTo("duplicate"));
        Assert.That(ran, Is.EqualTo(new[] { "ping" }));
        Assert.That(intake.Accepted, Is.EqualTo(1));
        Assert.That(CommandIntake.ToJson(first), Does.Contain("\"status\":\"done\""));
    }

    [TestCase("not json at all", "not JSON")]
    [TestCase("[1,2]", "must be a JSON object")]
    [TestCase("""{"verb":"ping"}""", "id:")]
    [TestCase("""{"id":"../../etc","verb":"ping"}""", "id:")]
    [TestCase("""{"id":7,"verb":"ping"}""", "id:")]
    [TestCase("""{"id":"c-2","verb":"format-disk"}""", "verb: must be one of ping, restart-camera")]
    [TestCase("""{"id":"c-3"}""", "verb: must be one of")]
    [TestCase("""{"id":"c-4","verb":"ping","typeName":"System.IO.File"}""", "unknown property 'typeName'")]
    [TestCase("""{"id":"c-5","verb":"ping","args":[1]}""", "args: must be an object")]
    [TestCase("""{"id":"c-6","verb":"restart-camera","args":{}}""", "args.camera: required")]
    public void MalformedCommand_RejectedWithTheReason_NothingRun(string json, string reason)
    {
        var ran = new List<string>();
        CommandIntake intake = NewIntake(ran);
        CommandReply reply = Handle(intake, json);
        Assert.That(reply.Status, Is.EqualTo("rejected"));
        Assert.That(reply.Reason, Does.Contain(reason));
        Assert.That(ran, Is.Empty);
        Assert.That(intake.Rejected, Is.EqualTo(1));
    }

    [Test]
    public void OversizeAndDeeplyNestedCommands_Rejected()
    {
        CommandIntake intake = NewIntake();
        string huge = $$$"""{"id":"c-7","verb":"ping","args":{"pad":"{{{new string('x', CommandIntake.MaxBytes)}}}"}}""";
        Assert.That(Handle(intake, huge).Reason, Does.Contain("more than 16384"));
        string deep = """{"id":"c-8","verb":"ping","args":""" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40) + "}";
        Assert.That(Handle(intake, deep).Status, Is.EqualTo("rejected"));
    }

    [Test]
    public void RandomBytes_NeverThrow_EveryMessageAnswered()
    {
        CommandIntake intake = NewIntake();
        var random = new Random(5);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] noise = new byte[random.Next(0, 200)];
            random.NextBytes(noise);
            byte[] prefix = Encoding.UTF8.GetBytes("""{"id":"x","verb":""");
            if (i % 3 == 0 && noise.Length >= prefix.Length) prefix.CopyTo(noise, 0);   // valid start, garbage after
            Assert.That(intake.Handle(noise).Status, Is.EqualTo("rejected"));
        }
        Assert.That(intake.Rejected, Is.EqualTo(20_000));
    }
}
