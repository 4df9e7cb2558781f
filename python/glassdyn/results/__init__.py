"""Campaign results: harvesting stage outputs, the HDF5 store, tables and the report figures."""
from glassdyn.results.campaign_data import CampaignResults
from glassdyn.results.snapshots import Snapshot
from glassdyn.results.store import load

__all__ = ["CampaignResults", "Snapshot", "load"]
