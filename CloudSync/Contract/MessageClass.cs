namespace CloudSync.Contract;

/// <summary>Priority classes, most important first: under quota pressure the last class goes first.</summary>
public enum MessageClass
{
    Alert = 0,
    Zone = 1,
    Periodic = 2,
    Frame = 3,
}
