"""The stand-in's members: fictional test accounts to sign in as, and other members whose posts fill the feed.

Several test accounts let the default run walk in parallel while keeping LinkedIn's rule of one browser
session per login: each parallel session signs in as its own account. Every one of them is personal data
as far as the screenshots are concerned, and is hidden on them like a live account's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

PHOTO_PREFIX = "/dms/image/"


@dataclass(frozen=True)
class Member:
    name: str
    headline: str
    photo_id: str   # the photo's path segment, like LinkedIn's media URLs

    @property
    def photo_path(self) -> str:
        """Shaped like LinkedIn's profile photo URLs (media.licdn.com/dms/image/<id>/profile-displayphoto-...)."""
        return f"{PHOTO_PREFIX}{self.photo_id}/profile-displayphoto-shrink_100_100/0/1700000000000"


@dataclass(frozen=True)
class Account(Member):
    email: str = ""
    password: str = "stand-in-password"
    language: str = "en"   # the display language a new session starts with


# example.com is reserved: never a real mailbox.
TEST_ACCOUNTS: tuple[Account, ...] = (
    Account("Robin Castell", "Supply Chain Analyst at Harbourline Freight", "C4D03AQrc01", "robin.castell@example.com"),
    Account("Noor Haddad", "Payroll Specialist at Quillfield Dairy", "C4D03AQnh02", "noor.haddad@example.com"),
    Account("Kenji Aramaki", "Process Engineer at Tidewater Looms", "C4D03AQka03", "kenji.aramaki@example.com"),
    Account("Lena Brandvik", "Librarian at Orchard Hill School", "C4D03AQlb04", "lena.brandvik@example.com"),
    Account("Tomás Ferreira Lobo", "Quantity Surveyor at Greystone Works", "C4D03AQtf05", "tomas.lobo@example.com"),
    Account("Amara Okonkwo", "Nurse Educator at Fernbank Clinic", "C4D03AQao06", "amara.okonkwo@example.com"),
    Account("Yusuf Demir", "Fleet Planner at Saltmarsh Buses", "C4D03AQyd07", "yusuf.demir@example.com"),
    Account("Ines Carvalho", "Grants Officer at Millbrook Trust", "C4D03AQic08", "ines.carvalho@example.com"),
)
TEST_ACCOUNT = TEST_ACCOUNTS[0]

# Other members: their names and photos appear in the feed and in messaging, as on linkedin.com.
OTHER_MEMBERS: tuple[Member, ...] = (
    Member("Jordan Ellery", "Head of Logistics at Brightwater Ports", "C4D03AQje11"),
    Member("Priya Venkataraman", "Data Protection Officer at Larchmont Health", "C4D03AQpv12"),
    Member("Malik Osei", "Senior Recruiter at Copperleaf Talent", "C4D03AQmo13"),
)

ACCOUNTS_BY_EMAIL = {account.email: account for account in TEST_ACCOUNTS}
MEMBERS_BY_PHOTO = {member.photo_id: member for member in (*TEST_ACCOUNTS, *OTHER_MEMBERS)}


def avatar_svg(member: Member) -> str:
    """A drawn portrait: a head and shoulders in front of a patterned background, no text and no font.

    Colours and pattern come from the member's name, so each member's photo is recognisably theirs, and
    unlike the persona's plain avatar: the screenshots' photo check (photocheck.py) looks for exactly it.
    """
    d = hashlib.sha256(member.name.encode()).digest()
    hues = [d[i] * 360 // 256 for i in range(4)]
    tilt = d[4] % 90
    face = f"hsl({hues[3]} 35% 30%)"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="96" height="96">'
        f'<g transform="rotate({tilt} 48 48)">'
        f'<rect x="-20" y="-20" width="68" height="68" fill="hsl({hues[0]} 60% 62%)"/>'
        f'<rect x="48" y="-20" width="68" height="68" fill="hsl({hues[1]} 55% 45%)"/>'
        f'<rect x="-20" y="48" width="68" height="68" fill="hsl({hues[2]} 50% 75%)"/>'
        f'<rect x="48" y="48" width="68" height="68" fill="hsl({hues[0]} 40% 85%)"/></g>'
        f'<circle cx="48" cy="38" r="17" fill="{face}"/>'
        f'<circle cx="42" cy="36" r="3" fill="hsl({hues[1]} 80% 80%)"/><circle cx="54" cy="36" r="3" fill="hsl({hues[1]} 80% 80%)"/>'
        f'<path d="M14 86c4-18 18-27 34-27s30 9 34 27a48 48 0 0 1-68 0z" fill="{face}"/>'
        "</svg>"
    )
