"""The canonical columns of a trust caseload export and a staff list, with their aliases.

This is the vocabulary the importer reads, the generator writes, ``transition person --json``
prints and the README documents. Header matching ignores case and treats spaces, hyphens and
underscores alike (``Date of Birth`` = ``date_of_birth`` = ``DATE-OF-BIRTH``), so aliases here
are listed once, in any of those spellings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from transition.models import CARE_ACT_OUTCOMES, AccessibleFormat

Kind = Literal[
    "text",  # free text, stripped; empty = None
    "nhs_number",  # 10 digits, Modulus 11
    "date",  # UK day-first, or ISO; real Excel date cells
    "bool",  # Y/N, Yes/No, True/False, 1/0 (any case); empty = None
    "int",  # a whole number >= 0; empty = None
    "float",  # a number >= 0; empty = None
    "cluster",  # mental health cluster 0-21; empty = None
    "outcomes",  # ';'-separated Care Act outcome keys; empty = not assessed; 'none' = []
    "list",  # ';'-separated words, lower-cased; empty = []
    "choice",  # one of ``choices`` (codes in ``codes`` are translated first)
    "gender",  # normalised to GENDERS (MHSDS GenderIDCode codes accepted)
]

GENDERS: tuple[str, ...] = ("male", "female", "non_binary", "other", "not_stated", "not_known")
GENDER_CODES: dict[str, str] = {
    # MHSDS GenderIDCode, and everyday spellings
    "1": "male",
    "m": "male",
    "male": "male",
    "man": "male",
    "2": "female",
    "f": "female",
    "female": "female",
    "woman": "female",
    "3": "non_binary",
    "non binary": "non_binary",
    "non-binary": "non_binary",
    "non_binary": "non_binary",
    "nonbinary": "non_binary",
    "4": "other",
    "other": "other",
    # X: not known (not recorded); Z: not stated (asked, and the person chose not to say),
    # kept apart as MHSDS keeps them, as ethnic category Z is.
    "x": "not_known",
    "9": "not_known",
    "unknown": "not_known",
    "not known": "not_known",
    "not_known": "not_known",
    "z": "not_stated",
    "not stated": "not_stated",
    "not_stated": "not_stated",
    "prefer not to say": "not_stated",
}

TRUE_WORDS = frozenset({"y", "yes", "true", "t", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "f", "0"})
NOT_STATED_WORDS = frozenset({"z", "not stated", "not known"})  # a yes/no left blank


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    description: str = ""
    max_length: int | None = None
    codes: dict[str, str] = field(default_factory=dict)


# MHSDS EthnicCategory (NHS Data Dictionary ETHNIC CATEGORY, 2001 census groups): the code, its
# group and its name. Z is "not stated" (asked, declined); 99 "not known" is left blank.
ETHNIC_CATEGORIES: dict[str, tuple[str, str]] = {
    "A": ("White", "British"), "B": ("White", "Irish"),
    "C": ("White", "Any other White background"),
    "D": ("Mixed", "White and Black Caribbean"), "E": ("Mixed", "White and Black African"),
    "F": ("Mixed", "White and Asian"), "G": ("Mixed", "Any other mixed background"),
    "H": ("Asian or Asian British", "Indian"), "J": ("Asian or Asian British", "Pakistani"),
    "K": ("Asian or Asian British", "Bangladeshi"),
    "L": ("Asian or Asian British", "Any other Asian background"),
    "M": ("Black or Black British", "Caribbean"), "N": ("Black or Black British", "African"),
    "P": ("Black or Black British", "Any other Black background"),
    "R": ("Other ethnic group", "Chinese"), "S": ("Other ethnic group", "Any other ethnic group"),
    "Z": ("Not stated", "Not stated"),
}


def ethnic_category_words(code: str | None) -> str:
    """'Asian or Asian British: Indian (H)', 'Not stated (Z)': MHSDS EthnicCategory in words
    ("" when not recorded)."""
    if not code:
        return ""
    group, name = ETHNIC_CATEGORIES.get(code, (code, code))
    return f"{group} (Z)" if code == "Z" else f"{group}: {name} ({code})"

# MHSDS EmployStatus (NHS Data Dictionary EMPLOYMENT STATUS), stored as the code.
EMPLOYMENT_STATUS_CODES = ("01", "02", "03", "04", "05", "06", "07", "08")
EMPLOYMENT_WORDS = {
    "01": "employed", "02": "unemployed, seeking work", "03": "student",
    "04": "long-term sick or disabled", "05": "looking after the family or home",
    "06": "not working or seeking work", "07": "unpaid voluntary work", "08": "retired",
}


def employment_words(code: str | None) -> str:
    """'unemployed, seeking work (02)': MHSDS EmployStatus in words ("" when not recorded)."""
    return f"{EMPLOYMENT_WORDS.get(code, code)} ({code})" if code else ""


def header_key(header: object) -> str:
    """How headers are compared: lower case; spaces, hyphens, underscores and dots alike."""
    text = str(header or "").strip().lower().replace("\ufeff", "")
    return re.sub(r"[\s\-_.]+", "_", text).strip("_")


CASELOAD_COLUMNS: tuple[Column, ...] = (
    Column("nhs_number", "nhs_number", True,
           ("NHSNumber", "NHS No", "NHS Number", "NHS no.", "NHSNo", "NHS Num", "New NHS No"),
           description="10-digit NHS number; spaces and dashes allowed."),
    Column("local_id", "text", False,
           ("LocalPatientId", "Local Patient Id", "Patient Id", "RiO Id", "Local Id", "MRN"),
           description="The trust's own patient identifier.", max_length=64),
    Column("given_name", "text", True, ("Forename", "Forenames", "First Name", "First Names", "Given Name", "Given Names",
                                      "Firstname"),
           max_length=120),
    Column("family_name", "text", True, ("Surname", "Last Name", "Family Name", "Lastname"),
           max_length=120),
    Column("date_of_birth", "date", True, ("PersonBirthDate", "DOB", "D.O.B", "Date of Birth", "Birth Date"),
           description="Day first (03/04/1980 is 3 April) or ISO (1980-04-03)."),
    Column("gender", "gender", False, ("GenderIDCode", "Gender Code", "Sex", "Gender Identity"),
           description="male, female, non_binary, other or not_known; MHSDS codes 1, 2, 3, 4, X, 9 accepted."),
    Column("address", "text", False, ("Address", "Home Address", "Address Line"), max_length=500),
    Column("postcode", "text", False, ("Postcode", "Post Code", "Postal Code"), max_length=10),
    Column("locality", "text", False, ("Locality", "Area", "Locality Name"), max_length=120),
    Column("team", "text", False, ("Team", "Team Name", "CMHT", "Service Team"), max_length=120),
    Column("care_coordinator_id", "text", False,
           ("CareProfLocalId", "Care Coordinator", "Care Coordinator Id", "Care Coordinator ID",
            "Care Co-ordinator", "Care Co-ordinator Id", "Care Coordinator Staff Id",
            "Key Worker", "Key Worker Id", "Coordinator Id"),
           description="The current worker's staff_id.", max_length=64),
    Column("gp_practice", "text", False,
           ("GMPCodeReg", "GP Practice", "GP Practice Code", "GP Code", "Practice Code",
            "Registered GP Practice", "GP ODS Code"),
           max_length=20),
    Column("gp_practice_name", "text", False, ("GP Practice Name", "GP Name", "Practice Name"),
           max_length=200),
    Column("gp_address", "text", False, ("GP Address", "Practice Address"), max_length=500),
    Column("cpa", "bool", False, ("CPA", "On CPA", "CPA Flag", "Key Worker Flag", "Care Programme Approach"),
           description="Health-led care: on CPA / has a named key worker. Where cpa is blank or "
           "missing, it is worked out from cpa_start and cpa_end (no episode: not on CPA)."),
    Column("cpa_start", "date", False,
           ("StartDateCPA", "CPA Start", "CPA Start Date", "CPA Since", "On CPA Since"),
           description="When the person's CPA episode began (MHSDS MHS701 StartDateCPA)."),
    Column("cpa_end", "date", False, ("EndDateCPA", "CPA End", "CPA End Date", "CPA Ended"),
           description="When the CPA episode ended (MHSDS MHS701 EndDateCPA); blank while it "
           "is open."),
    Column("cluster", "cluster", False,
           ("AMHCareClustCodeFin", "Cluster", "Care Cluster", "MH Cluster", "PbR Cluster"),
           description="Mental health cluster 0-21."),
    Column("s117", "bool", False, ("S117", "Section 117", "S117 Aftercare", "Section 117 Aftercare"),
           description="Entitled to section 117 aftercare."),
    Column("cto", "bool", False, ("CTO", "Community Treatment Order", "On CTO"),
           description="On a Community Treatment Order. Where cto is blank or missing, it is "
           "worked out from cto_start and cto_expiry."),
    Column("cto_start", "date", False,
           ("StartDateCommTreatOrd", "CTO Start", "CTO Start Date", "CTO Since", "CTO Made"),
           description="When the Community Treatment Order began (MHSDS MHS404 "
           "StartDateCommTreatOrd)."),
    Column("cto_expiry", "date", False,
           ("ExpiryDateCommTreatOrd", "CTO Expiry", "CTO Expiry Date", "CTO End Date",
            "CTO Renewal Date", "CTO Expires"),
           description="When the Community Treatment Order expires unless renewed: a renewal "
           "that falls near the handover is flagged by the nightly check (cto_expiring)."),
    Column("safeguarding_open", "bool", False,
           ("Safeguarding", "Safeguarding Open", "Open Safeguarding", "Safeguarding Enquiry")),
    Column("last_contact", "date", False, ("Last Contact", "CareContDate", "Last Contact Date")),
    Column("last_discharge", "date", False,
           ("Last Discharge", "ServDischDate", "Discharge Date", "Last Discharge Date",
            "Inpatient Discharge Date")),
    Column("admissions_12m", "int", False,
           ("Admissions 12m", "Admissions (12 months)", "Admissions Last 12 Months", "Admissions")),
    Column("missed_appointments_6m", "int", False,
           ("Missed Appointments 6m", "DNAs 6m", "DNA Count", "Missed Appointments",
            "Missed Appointments (6 months)")),
    Column("self_harm_history", "bool", False, ("Self Harm", "Self Harm History", "History of Self Harm")),
    Column("substance_misuse", "bool", False, ("Substance Misuse", "Drug or Alcohol Misuse", "Dual Diagnosis")),
    Column("lives_alone", "bool", False, ("Lives Alone", "Living Alone")),
    Column("accommodation_type", "text", False,
           ("AccommodationType", "Accommodation Type", "Accommodation Status",
            "Accommodation Status Code", "Accommodation"),
           description="MHSDS AccommodationType: a code or words, kept as written. 12 (rough "
           "sleeper), HM01-HM07 (homeless), a code with its description, or a whole value such "
           "as 'homeless' or 'sofa surfing' count as no settled home for the handover risk; "
           "text that only mentions the word ('Not homeless') does not.", max_length=60),
    Column("settled_accommodation", "bool", False,
           ("SettledAccommodationInd", "Settled Accommodation", "Settled Accommodation Indicator",
            "In Settled Accommodation"),
           description="MHSDS SettledAccommodationInd: Y or N; Z (not stated) is left blank."),
    Column("ethnic_category", "choice", False,
           ("EthnicCategory", "Ethnic Category", "Ethnic Category Code", "Ethnicity",
            "Ethnic Group", "Ethnic Origin"),
           choices=tuple(ETHNIC_CATEGORIES),
           description="MHSDS EthnicCategory: A-S as the NHS Data Dictionary codes them (A "
           "White British ... S any other ethnic group), or the category's name (Indian, "
           "White and Asian, White British); Z is not stated; 99 (not known) is left blank. "
           "Read only for the equality report.",
           codes={**{name.lower(): code for code, (_, name) in ETHNIC_CATEGORIES.items()
                     if not name.lower().startswith("any other")},
                  **{f"{group} {name}".lower(): code
                     for code, (group, name) in ETHNIC_CATEGORIES.items()}}),
    Column("employment_status", "choice", False,
           ("EmployStatus", "Employment Status", "Employment Status Code", "Employment"),
           choices=EMPLOYMENT_STATUS_CODES,
           description="MHSDS EmployStatus: 01 employed, 02 unemployed and seeking work, 03 "
           "student, 04 long-term sick or disabled, 05 looking after the family or home, 06 not "
           "working or seeking work and not on benefits, 07 unpaid voluntary work, 08 retired "
           "(1-8 and the words read too); ZZ (not stated) and UU (not known) are left blank.",
           codes={**{str(number): f"{number:02d}" for number in range(1, 9)},
                  "employed": "01", "self employed": "01", "unemployed": "02",
                  "unemployed and seeking work": "02", "seeking work": "02", "student": "03",
                  "long term sick or disabled": "04", "long term sick": "04",
                  "homemaker": "05", "looking after the family or home": "05",
                  "not working": "06", "voluntary work": "07", "unpaid voluntary work": "07",
                  "retired": "08"}),
    Column("carer", "bool", False, ("Carer", "Has Carer", "Has a Carer")),
    Column("carer_name", "text", False, ("Carer Name", "Name of Carer"), max_length=200),
    Column("carer_address", "text", False, ("Carer Address", "Address of Carer"), max_length=500),
    Column("carer_consent", "bool", False,
           ("Carer Consent", "Consent to Share with Carer", "Carer Consent to Share",
            "Consent to Share Information with Carer", "Share with Carer",
            "Carer Information Sharing Consent"),
           description="Whether the person agrees to their carer being told: N means no carer "
           "letter; blank means not recorded (the letter carries a note to check first)."),
    Column("personal_budget", "bool", False,
           ("Personal Budget", "Direct Payment", "Direct Payments", "Personal Budget or Direct Payment")),
    Column("interpreter_language", "text", False,
           ("Interpreter", "Interpreter Language", "Interpreter Needed", "Interpreter Required"),
           description="The language an interpreter is needed for; empty = none.", max_length=60),
    Column("preferred_language", "text", False,
           ("LanguageCodePreferred", "Language Code Preferred", "Preferred Language",
            "Preferred Spoken Language", "First Language", "Main Language",
            "Main Spoken Language", "Language"),
           description="MHSDS LanguageCodePreferred: the language the person prefers, as an "
           "ISO 639-1 code (pl, ur, so), a communication code (q1 braille, q2 American sign "
           "language, q3 Australian sign language, q4 British sign language, q5 Makaton) or "
           "its name; stored as the name. Not the same as needing an interpreter.",
           max_length=60),
    Column("accessible_format", "choice", False,
           ("Accessible Format", "Accessible Information", "AIS Need", "Communication Need"),
           choices=tuple(fmt.value for fmt in AccessibleFormat),
           description="Accessible Information Standard need: large_print, easy_read, braille, "
           "bsl, audio or email.",
           codes={"large print": "large_print", "easy read": "easy_read",
                  "british sign language": "bsl", "e-mail": "email"}),
    Column("preferred_worker_gender", "gender", False,
           ("Preferred Worker Gender", "Worker Gender Preference", "Gender Preference")),
    Column("care_act_outcomes", "outcomes", False,
           ("Care Act Outcomes", "Unmet Outcomes", "Outcomes Unmet", "Eligible Outcomes"),
           description="';'-separated unmet outcomes: " + ", ".join(CARE_ACT_OUTCOMES)
           + "; empty = not yet assessed; 'none' = assessed, none unmet."),
    Column("significant_impact", "bool", False,
           ("Significant Impact", "Significant Impact on Wellbeing", "Wellbeing Impact")),
    Column("coordinator_since", "date", False,
           ("StartDateAssCareCoord", "Coordinator Since", "Care Coordinator Since",
            "Allocated Since", "Allocation Date")),
    Column("coordinator_until", "date", False,
           ("EndDateAssCareCoord", "Coordinator Until", "Care Coordinator End Date",
            "Coordinator End Date", "Allocation End Date", "Allocated Until"),
           description="When the care coordinator's allocation ended (MHSDS MHS006 "
           "EndDateAssCareCoord); blank while it is current. An allocation that has ended "
           "leaves the person with no one: the importer warns, and the nightly check reports "
           "them as unassigned (when their pathway needs a worker) until a plan or a manager "
           "gives them one."),
)

# A column the importer works out from others when a row leaves it blank (or the file lacks it)
# and one of the others is given. An MHSDS-shaped export gives CTOs as MHS404 dates and CPA as
# MHS701 episode dates, not as yes/no: on a CTO when the order has begun and its expiry is today
# or later; on CPA when an episode has begun and not ended. See RowChecker._derive.
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "cto": ("cto_start", "cto_expiry"),
    "cpa": ("cpa_start", "cpa_end"),
}


def derivable(written: Iterable[str]) -> set[str]:
    """The derived columns that a file giving the ``written`` columns lets the importer fill."""
    given = set(written)
    return {name for name, sources in DERIVED_COLUMNS.items() if given.intersection(sources)}

STAFF_COLUMNS: tuple[Column, ...] = (
    Column("staff_id", "text", True, ("Staff Id", "Staff ID", "Employee Id", "Staff Number",
                                      "Employee Number", "Payroll Number", "CareProfLocalId",
                                      "Worker Id"), max_length=64),
    Column("given_name", "text", True, ("Forename", "First Name", "Given Name"), max_length=120),
    Column("family_name", "text", True, ("Surname", "Last Name", "Family Name"), max_length=120),
    Column("employer", "choice", True, ("Employer", "Employing Organisation", "Organisation"),
           choices=("council", "trust"),
           codes={"la": "council", "local authority": "council", "county council": "council",
                  "nhs": "trust", "nhs trust": "trust"}),
    Column("role", "text", True, ("Role", "Job Role", "Job Title", "Profession", "Staff Role"),
           description="social_worker, nurse, ot, psychologist, amhp, ... (lower case; "
           "'Social Worker', 'CPN', 'Occupational Therapist' and the like are translated)",
           max_length=40,
           codes={"sw": "social_worker", "social worker": "social_worker",
                  "mental health social worker": "social_worker",
                  "approved mental health professional": "amhp",
                  "cpn": "nurse", "rmn": "nurse", "community psychiatric nurse": "nurse",
                  "mental health nurse": "nurse", "community mental health nurse": "nurse",
                  "occupational therapist": "ot", "clinical psychologist": "psychologist"}),
    Column("team", "text", False, ("Team", "Team Name", "Base Team", "Team Base"), max_length=120),
    Column("locality", "text", False, ("Locality", "Area"), max_length=120),
    Column("capacity", "int", False, ("Capacity", "Caseload Capacity", "Max Caseload",
                                      "Caseload Limit"),
           description="How many people they can hold."),
    Column("fte", "float", False, ("FTE", "WTE", "Whole Time Equivalent", "Full Time Equivalent")),
    Column("skills", "list", False, ("Skills", "Specialisms", "Specialisms/Skills")),
    Column("languages", "list", False, ("Languages", "Languages Spoken")),
    Column("gender", "gender", False, ("Gender", "Sex")),
    Column("seconded", "bool", False, ("Seconded", "Secondment", "Is Seconded"),
           description="A council worker now in a trust team (being withdrawn)."),
    Column("council_team", "text", False, ("Council Team", "Returning Team", "Destination Team"),
           description="Where a seconded worker returns to; blank = not yet decided.",
           max_length=120),
    Column("leaving_date", "date", False, ("Leaving Date", "Leave Date", "End Date", "Leaver Date")),
    Column("absent_from", "date", False, ("Absent From", "Absence Start", "Absence Start Date",
                                          "Long Term Absence From", "LTA From", "Off From"),
           description="The first day of an absence still to come (a planned one); blank = "
           "begun already. Alone, without Absent Until: away from that day, no return date."),
    Column("absent_until", "date", False, ("Absent Until", "Long Term Absence Until",
                                           "LTA Until", "Off Until"),
           description="The last day of an absence (blank = none, unless Absent From is given)."),
    Column("phone", "text", False, ("Phone", "Telephone", "Work Phone", "Phone Number"), max_length=40),
    Column("email", "text", False, ("Email", "E-mail", "Work Email", "Email Address"), max_length=200),
)


def alias_index(columns: tuple[Column, ...]) -> dict[str, str]:
    """Every accepted header spelling (as :func:`header_key`) -> canonical column name."""
    index: dict[str, str] = {}
    for column in columns:
        for spelling in (column.name, *column.aliases):
            index.setdefault(header_key(spelling), column.name)
    return index


CASELOAD_BY_NAME = {column.name: column for column in CASELOAD_COLUMNS}
STAFF_BY_NAME = {column.name: column for column in STAFF_COLUMNS}
