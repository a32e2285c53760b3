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
        intake.Register("restart-camera", CommandArgs.Of(("camera", JsonValueKind.String, true), ("force", JsonValueKind.True, false)), args =>
        {
            string camera = args.GetProperty("camera").GetString()!;
            if (camera != "plaza") throw new CommandRejectedException($"args.camera: no camera '{camera}'");
            ran?.Add($"restart {camera}");
            return null;
        });
        return intake;
    }

    private static CommandReply Handle(CommandIntake intake, string json) => intake.Handle(Encoding.UTF8.GetBytes(json));

    [TestCase(new byte[] { 0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D }, "not UTF-8 (invalid byte sequence at offset 7)")]   // {"id":"\xFF"}
    [TestCase(new byte[] { 0xC3, 0x28 }, "not UTF-8")]
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 }, "not UTF-8")]   // an encoded surrogate
    public void NotUtf8_RejectedWithTheOffset_NothingRun(byte[] message, string reason)
    {
        var ran = new List<string>();
        CommandIntake intake = NewIntake(ran);
        CommandReply reply = intake.Handle(message);
        Assert.That(reply.Status, Is.EqualTo("rejected"));
        Assert.That(reply.Reason, Does.Contain(reason));
        Assert.That(CommandIntake.ToJson(reply), Does.Contain("rejected"), "the reply itself serialises");
        Assert.That(ran, Is.Empty);
    }

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
    [TestCase("""{"id":"c-7","verb":"ping","args":{"x":1}}""", "args: 'ping' takes no arguments (got 'x')")]
    [TestCase("""{"id":"c-8","verb":"restart-camera","args":{"camera":"plaza","delay":5}}""", "args.delay: not an argument of 'restart-camera' (it takes camera, force)")]
    [TestCase("""{"id":"c-9","verb":"restart-camera","args":{"camera":7}}""", "args.camera: must be a string, got a number")]
    [TestCase("""{"id":"c-10","verb":"restart-camera","args":{"camera":"plaza","force":"yes"}}""", "args.force: must be a boolean")]
    [TestCase("""{"id":"c-11","verb":"restart-camera","args":{"camera":"lobby"}}""", "args.camera: no camera 'lobby'")]
    [TestCase("""{"id":"c-12","verb":"ping","verb":"restart-camera"}""", "a property appears twice")]
    [TestCase("""{"id":"c-13","verb":"restart-camera","args":{"camera":"plaza","camera":"lobby"}}""", "a property appears twice")]
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
