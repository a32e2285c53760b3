using EdgeAgent.Inference;
using EdgeAgent.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace EdgeAgent.Reid;

/// <summary>
/// Person appearance embeddings (OSNet): each box is cropped from the frame, prepared as the model's
/// PROVENANCE.md states (RGB, 128×256 stretch, /255, ImageNet mean/std), run in batches, and L2-normalised.
/// One session shared by all cameras; input buffers sized once for <see cref="ReidOptions.MaxBatch"/> crops.
/// Embeddings live only in memory: they are never logged, written or sent.
/// </summary>
public sealed class ReidEmbedder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly InputTensorWriter _writer;
    private readonly float[] _input;
    private readonly int _perCrop, _maxBatch;
    private readonly string[] _inputNames, _outputNames;
    private readonly Lock _gate = new();
    private readonly RunOptions _runOptions = new();

    public ReidEmbedder(ModelEntry model, string modelPath, DetectorOptions providers, int maxBatch, ILogger logger)
    {
        if (model.Input.Width <= 0 || model.Input.Height <= 0)
            throw new ModelException($"model '{model.Name}' has no fixed input size in the manifest; it cannot be a re-identification model");
        (_session, Provider) = ExecutionProviderSelector.Create(modelPath, providers, logger);
        _inputNames = [_session.InputMetadata.Keys.First()];
        _outputNames = [_session.OutputMetadata.Keys.First()];
        Dimension = (int)_session.OutputMetadata[_outputNames[0]].Dimensions[^1];
        _writer = new InputTensorWriter(model.Input.Width, model.Input.Height, model.Preprocessing);
        _perCrop = 3 * model.Input.Width * model.Input.Height;
        _maxBatch = maxBatch;
        _input = new float[_perCrop * maxBatch];
        Model = model;
    }

    public ModelEntry Model { get; }
    public string Provider { get; }

    /// <summary>Length of one embedding (512 for OSNet).</summary>
    public int Dimension { get; }

    /// <summary>
    /// Embeds each box of <paramref name="boxes"/> (frame pixels) into consecutive rows of <paramref name="output"/>
    /// (boxes.Length × <see cref="Dimension"/>), each row L2-normalised.
    /// </summary>
    public void Embed(Mat frame, ReadOnlySpan<BoundingBox> boxes, Span<float> output)
    {
        if (output.Length < boxes.Length * Dimension) throw new ArgumentException("output too small for the embeddings");
        lock (_gate)
        {
            for (int start = 0; start < boxes.Length; start += _maxBatch)
            {
                int n = Math.Min(_maxBatch, boxes.Length - start);
                for (int i = 0; i < n; i++)
                {
                    Rect rect = ToRect(boxes[start + i], frame.Width, frame.Height);
                    using var crop = new Mat(frame, rect);
                    _writer.Write(crop, _input.AsSpan(i * _perCrop, _perCrop));
                }
                using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, n * _perCrop),
                    [n, 3, _writer.Height, _writer.Width]);
                using var outputs = _session.Run(_runOptions, _inputNames, [value], _outputNames);
                ReadOnlySpan<float> raw = outputs[0].GetTensorDataAsSpan<float>();
                for (int i = 0; i < n; i++)
                    Normalise(raw.Slice(i * Dimension, Dimension), output.Slice((start + i) * Dimension, Dimension));
            }
        }
    }

    /// <summary>Copies <paramref name="source"/> scaled to unit length (a zero vector stays zero).</summary>
    public static void Normalise(ReadOnlySpan<float> source, Span<float> target)
    {
        double sum = 0;
        foreach (float v in source) sum += (double)v * v;
        float scale = sum > 0 ? (float)(1 / Math.Sqrt(sum)) : 0;
        for (int i = 0; i < source.Length; i++) target[i] = source[i] * scale;
    }

    private static Rect ToRect(in BoundingBox box, int width, int height)
    {
        int x1 = Math.Clamp((int)MathF.Floor(box.X1), 0, width - 1), y1 = Math.Clamp((int)MathF.Floor(box.Y1), 0, height - 1);
        int x2 = Math.Clamp((int)MathF.Ceiling(box.X2), x1 + 1, width), y2 = Math.Clamp((int)MathF.Ceiling(box.Y2), y1 + 1, height);
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _writer.Dispose();
        _session.Dispose();
    }
}
