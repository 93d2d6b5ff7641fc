"""Flags: the one model of "a regulator should look at this", with its evidence."""
