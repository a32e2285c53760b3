using System.Diagnostics;
using EdgeAgent.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace EdgeAgent.Inference;

/// <summary>
/// The one person detector shared by every camera: one ONNX Runtime session, and per concurrent caller a slot — input
/// buffer, letterbox writer and the family's decoder — allocated once and reused. Cameras letterbox and decode in
/// parallel; at most <see cref="ParallelRuns"/> inferences run at once (each on its intra-op threads), so on a CPU the
/// cores are shared between cameras instead of one camera's run waiting for another's letterbox.
/// </summary>
public sealed class PersonDetector : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ModelEntry _model;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<Slot> _slots = [];
    private readonly List<Slot> _allSlots = [];
    private readonly SemaphoreSlim _runs;
    private readonly Slot _benchSlot;

    // What one caller needs for one frame, reused: the input tensor over a pinned array, the letterbox writer, the decoder.
    private sealed class Slot(IDetectionDecoder decoder, InputTensorWriter writer, float[] input, OrtValue value) : IDisposable
    {
        public IDetectionDecoder Decoder { get; } = decoder;
        public InputTensorWriter Writer { get; } = writer;
        public float[] Input { get; } = input;
        public OrtValue Value { get; } = value;

        public void Dispose()
        {
            Value.Dispose();
            Writer.Dispose();
        }
    }

    public PersonDetector(ModelEntry model, string modelPath, DetectorOptions options, ILogger logger)
    {
        _model = model;
        if (model.Input.Width <= 0 || model.Input.Height <= 0)
            throw new ModelException($"model '{model.Name}' has no fixed input size in the manifest; it cannot be a person detector");
        if (model.Family is not ("yolox-nms" or "yolox-grid"))
            throw new ModelException($"model '{model.Name}' has family '{model.Family}', which has no detector adapter (supported: yolox-nms, yolox-grid)");
        try
        {
            (_session, Provider) = ExecutionProviderSelector.Create(modelPath, options, logger);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelException($"model file {modelPath} could not be loaded by ONNX Runtime: {e.Message}", e);
        }
        _inputNames = [_session.InputMetadata.Keys.First()];
        int[] shape = _session.InputMetadata[_inputNames[0]].Dimensions;
        int[] expected = [1, 3, model.Input.Height, model.Input.Width];
        if (shape.Length != 4 || shape.Zip(expected).Any(d => d.First > 0 && d.First != d.Second))
        {
            _session.Dispose();
            throw new ModelException($"model file {modelPath} takes input [{string.Join(", ", shape)}] but the manifest says {model.Input.Width}x{model.Input.Height} " +
                $"([{string.Join(", ", expected)}]) for model '{model.Name}'; fix the manifest's input spec or use the right file");
        }
        _outputNames = _session.OutputMetadata.Keys.ToArray();
        ParallelRuns = options.ParallelRuns > 0 ? options.ParallelRuns : DetectorOptions.AutomaticParallelRuns;
        _runs = new SemaphoreSlim(ParallelRuns, ParallelRuns);
        _benchSlot = NewSlot();

        var sw = Stopwatch.StartNew();
        for (int i = 0; i < options.WarmupRuns; i++) RunModelOnly();
        InferenceLog.WarmedUp(logger, model.Name, model.Family, model.Input.Width, model.Input.Height, sw.Elapsed.TotalMilliseconds, Provider);
    }

    /// <summary>The execution provider that loaded the model.</summary>
    public string Provider { get; }
    public ModelEntry Model => _model;

    /// <summary>How many inferences may run at once (<c>Detection:ParallelRuns</c>).</summary>
    public int ParallelRuns { get; }

    private Slot NewSlot()
    {
        IDetectionDecoder decoder = _model.Family == "yolox-nms" ? new YoloxNmsDecoder() : new YoloxGridDecoder(_model.Input.Width, _model.Input.Height, _model.NmsIoU);
        var input = new float[3 * _model.Input.Width * _model.Input.Height];
        var slot = new Slot(decoder, new InputTensorWriter(_model.Input.Width, _model.Input.Height, _model.Preprocessing), input,
            OrtValue.CreateTensorValueFromMemory(input, [1, 3, _model.Input.Height, _model.Input.Width]));
        lock (_allSlots) _allSlots.Add(slot);
        return slot;
    }

    /// <summary>Detects people in a BGR frame; appends to <paramref name="into"/> detections with score ≥ the model's floor. Thread-safe.</summary>
    public void Detect(Mat frame, List<Detection> into)
    {
        Slot slot = _slots.TryTake(out Slot? free) ? free : NewSlot();
        try
        {
            Letterbox lb = slot.Writer.Write(frame, slot.Input);
            _runs.Wait();
            try
            {
                using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, _inputNames, [slot.Value], _outputNames);
                slot.Decoder.Decode(outputs, lb, _model.ScoreThreshold, into);
            }
            finally
            {
                _runs.Release();
            }
        }
        finally
        {
            _slots.Add(slot);
        }
    }

    /// <summary>Runs the model on whatever is in the benchmark's input buffer: the model-only cost, for warm-up and benchmarks.</summary>
    public void RunModelOnly()
    {
        lock (_benchSlot)
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, _inputNames, [_benchSlot.Value], _outputNames);
        }
    }

    /// <summary>Fills the benchmark's input buffer from a frame without running the model.</summary>
    public void Preprocess(Mat frame)
    {
        lock (_benchSlot) _benchSlot.Writer.Write(frame, _benchSlot.Input);
    }

    public void Dispose()
    {
        lock (_allSlots)
            foreach (Slot slot in _allSlots) slot.Dispose();
        _runOptions.Dispose();
        _runs.Dispose();
        _session.Dispose();
    }
}
