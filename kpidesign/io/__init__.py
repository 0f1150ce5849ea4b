"""Formats a workshop travels in; each module is a pair of functions to and from the model."""
