namespace SharpConv.Perf; internal static class ConvProbe { public static void Run(double a, double b) { } }
