using EdgeAgent.Tracking;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>Turns a model family's raw outputs into person detections in frame pixels.</summary>
public interface IDetectionDecoder
{
    void Decode(IReadOnlyList<OrtValue> outputs, in Letterbox letterbox, float minScore, List<Detection> into);
}
