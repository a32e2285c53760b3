using System.Diagnostics;
using EdgeAgent.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace EdgeAgent.Inference;

/// <summary>
/// The one person detector shared by every camera: an ONNX Runtime session, an input buffer allocated
/// once, the family's decoder. <see cref="Detect"/> is serialised by a lock, so cameras take turns.
/// </summary>
public sealed class PersonDetector : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ModelEntry _model;
    private readonly IDetectionDecoder _decoder;
    private readonly InputTensorWriter _writer;
    private readonly float[] _input;
    private readonly OrtValue _inputValue;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();
    private readonly Lock _gate = new();

    public PersonDetector(ModelEntry model, string modelPath, DetectorOptions options, ILogger logger)
    {
        _model = model;
        if (model.Input.Width <= 0 || model.Input.Height <= 0)
            throw new ModelException($"model '{model.Name}' has no fixed input size in the manifest; it cannot be a person detector");
        _decoder = model.Family switch
        {
            "yolox-nms" => new YoloxNmsDecoder(),
            "yolox-grid" => new YoloxGridDecoder(model.Input.Width, model.Input.Height, model.NmsIoU),
            _ => throw new ModelException($"model '{model.Name}' has family '{model.Family}', which has no detector adapter (supported: yolox-nms, yolox-grid)"),
        };
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
        _writer = new InputTensorWriter(model.Input.Width, model.Input.Height, model.Preprocessing);
        _input = new float[3 * model.Input.Width * model.Input.Height];
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [1, 3, model.Input.Height, model.Input.Width]);

        var sw = Stopwatch.StartNew();
        for (int i = 0; i < options.WarmupRuns; i++) RunModelOnly();
        InferenceLog.WarmedUp(logger, model.Name, model.Family, model.Input.Width, model.Input.Height, sw.Elapsed.TotalMilliseconds, Provider);
    }

    /// <summary>The execution provider that loaded the model.</summary>
    public string Provider { get; }
    public ModelEntry Model => _model;

    /// <summary>Detects people in a BGR frame; appends to <paramref name="into"/> detections with score ≥ the model's floor.</summary>
    public void Detect(Mat frame, List<Detection> into)
    {
        lock (_gate)
        {
            Letterbox lb = _writer.Write(frame, _input);
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, _inputNames, [_inputValue], _outputNames);
            _decoder.Decode(outputs, lb, _model.ScoreThreshold, into);
        }
    }

    /// <summary>Runs the model on whatever is in the input buffer: the model-only cost, for warm-up and benchmarks.</summary>
    public void RunModelOnly()
    {
        lock (_gate)
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, _inputNames, [_inputValue], _outputNames);
        }
    }

    /// <summary>Fills the input buffer from a frame without running the model (benchmarks).</summary>
    public void Preprocess(Mat frame)
    {
        lock (_gate) _writer.Write(frame, _input);
    }

    public void Dispose()
    {
        _inputValue.Dispose();
        _runOptions.Dispose();
        _writer.Dispose();
        _session.Dispose();
    }
}
