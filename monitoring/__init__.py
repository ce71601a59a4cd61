"""Live crowd monitoring and early warning (人流密度实时监测预警): zones, sources, readings, levels and alerts."""
