"""The Room page's parts: the facilitator's console and the wall the projector shows."""
