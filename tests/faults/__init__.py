"""The fault suite: kills, full disks and competing processes; nothing acknowledged is lost."""
