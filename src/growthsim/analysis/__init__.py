"""Questions asked of runs: several scenarios on the same random numbers (``compare``), what differs
between two scenario files (``diff``), the value an assumption must take for a target's chance to
reach a level (``solve``, bisecting a ``curve``), and which assumptions and events move each
target's chance (``sensitivity``). Built on the engine; prints nothing."""
