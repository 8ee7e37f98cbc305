"""Remake the synthetic sample returns (seeded, so the same every time).

    python sample_returns/source/make_samples.py

Needs LibreOffice, because some samples are saved through it as an LA using LibreOffice would.
"""

from collate.load import load_instrument
from collate.samples.returns import make_flawed, make_samples
from collate.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    instrument = load_instrument(settings.instrument_folder)
    for path in make_samples(settings, instrument):
        print(path)
    for name, what in make_flawed(settings, instrument).items():
        print(f"flawed/{name}: {what}")
