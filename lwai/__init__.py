"""LightWeightAI: compile TFLite, ONNX and lwai-JSON models to C for small devices."""

__version__ = "0.1.0"
