"""Inspection: the learner's eight questions, answered with numbers computed from a live network."""

from .counting import LayerCount, count_parameters, stored_values

__all__ = ["LayerCount", "count_parameters", "stored_values"]
