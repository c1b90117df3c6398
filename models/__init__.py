"""ME Studio model zoo: reference PyTorch implementations of published
micro-expression recognisers, their preprocessing, a LOSO training kit and an
ONNX exporter that writes a model card beside every model."""
