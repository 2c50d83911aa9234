"""What is said about the news as it arrives and what is held: topic alerts for subscribers (`alerts`, weights in
``alerts.json``) and the catalog of indexed articles (`catalog`: sources, stats, removal).

May import: ``core``, ``store``, ``search``, ``answering``.
"""
