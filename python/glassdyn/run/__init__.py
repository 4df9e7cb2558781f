"""The campaign driver: configuration, plan, stage inputs, and running the stages resumably.

It starts LAMMPS through :mod:`glassdyn.launching` and never imports :mod:`glassdyn.results`:
harvesting is handed in by the orchestrator (:class:`glassdyn.campaign.Campaign`).
"""
