"""The invented world's words: names, places, streets, languages.

Every name here is common on its own; the combinations the generator makes are invented people.
Places are invented (the county of Westshire, postcode areas WX, WY and WZ, which the Royal Mail
does not use). Telephone numbers come from Ofcom's ranges reserved for drama (01632 960xxx and
07700 900xxx), and email addresses use the reserved ``.example`` domain.

Lists are tuples in a fixed order: the generator's output depends on that order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Origin:
    """A naming tradition: given and family names, and the language an interpreter would speak.

    A family name written ``"Kowalski|Kowalska"`` has a male and a female form.
    """

    key: str
    people_weight: float  # share of the caseload
    staff_weight: float  # share of the workforce (before fixed pinch points)
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    language: str | None = None  # spoken at home besides English
    interpreter_rate: float = 0.0  # of people of this origin, how many need an interpreter
    male_older: tuple[str, ...] = ()  # for people born long ago, when the list differs
    female_older: tuple[str, ...] = ()


NEUTRAL_GIVEN = (
    "Alex", "Sam", "Charlie", "Jordan", "Robin", "Riley", "Morgan", "Kit", "Ash", "Jules",
)

ORIGINS: tuple[Origin, ...] = (
    Origin(
        "british", 0.80, 0.82,
        male=("James", "Oliver", "Jack", "Harry", "George", "Thomas", "Daniel", "Matthew",
              "Christopher", "Andrew", "Liam", "Connor", "Callum", "Lewis", "Jamie", "Craig",
              "Scott", "Kieran", "Rhys", "Dylan", "Owen", "Gareth", "Seán", "Ciarán", "Ryan",
              "Joshua", "Nathan", "Luke", "Adam", "Ben"),
        female=("Emma", "Sophie", "Charlotte", "Hannah", "Lucy", "Jessica", "Amy", "Laura",
                "Rebecca", "Sarah", "Rachel", "Claire", "Nicola", "Gemma", "Stacey", "Kerry",
                "Chloe", "Megan", "Ellie", "Siân", "Zoë", "Niamh", "Aoife", "Bethan", "Ffion",
                "Catrin", "Renée", "Mairéad", "Leanne", "Danielle"),
        family=("Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson",
                "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker",
                "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke",
                "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris",
                "Moore", "Clark", "King", "Baker", "Harrison", "Morgan", "Allen", "James",
                "Scott", "Phillips", "Watson", "Parker", "Price", "Bennett", "Young",
                "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
                "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Marshall", "Simpson",
                "Ellis", "Adams", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray",
                "Mason", "Hunt", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills",
                "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Fisher", "Jenkins", "Murray",
                "Dixon", "Harvey", "Pearson", "Fletcher", "Walsh", "Gibson", "Stewart",
                "O'Neill", "O'Brien", "O'Connor", "McAllister", "MacLeod", "D'Arcy",
                "Ó Briain|Ní Bhriain",
                "Pritchard", "ap Rhys", "Llewellyn", "Fitzgerald", "Gallagher", "Quinn", "Doyle"),
        male_older=("David", "Michael", "Paul", "Mark", "Richard", "Stephen", "Brian", "Colin",
                    "Derek", "Keith", "Graham", "Malcolm", "Trevor", "Roy", "Dennis", "Kenneth",
                    "Geoffrey", "Raymond", "Barry", "Terence", "Noël", "Desmond"),
        female_older=("Susan", "Linda", "Margaret", "Patricia", "Jean", "Doreen", "Brenda",
                      "Sheila", "Pauline", "Carol", "Deborah", "Julie", "Karen", "Tracey",
                      "Joan", "Maureen", "Irene", "Valerie", "Gwen", "Bríd", "Elspeth"),
    ),
    Origin(
        "polish", 0.035, 0.0,  # Polish-speaking staff are placed by hand: a pinch point
        male=("Łukasz", "Tomasz", "Piotr", "Krzysztof", "Michał", "Paweł", "Marek", "Jakub"),
        female=("Agnieszka", "Małgorzata", "Katarzyna", "Zofia", "Joanna", "Ewa", "Magdalena"),
        family=("Nowak", "Kowalski|Kowalska", "Wiśniewski|Wiśniewska", "Wójcik", "Mazur",
                "Kamiński|Kamińska", "Krawczyk", "Zając", "Wróbel", "Dudek"),
        language="polish", interpreter_rate=0.30,
    ),
    Origin(
        "pakistani", 0.04, 0.03,
        male=("Imran", "Tariq", "Asif", "Bilal", "Usman", "Hamza", "Zahid", "Naveed"),
        female=("Ayesha", "Fatima", "Nazia", "Shazia", "Saima", "Rubina", "Samina", "Farah"),
        family=("Khan", "Hussain", "Akhtar", "Iqbal", "Mahmood", "Butt", "Raja", "Qureshi"),
        language="urdu", interpreter_rate=0.18,
    ),
    Origin(
        "bangladeshi", 0.02, 0.015,
        male=("Abdul", "Rashid", "Shahid", "Jamal", "Kamal", "Anwar"),
        female=("Rahima", "Shirin", "Nasreen", "Taslima", "Rokeya", "Shapla"),
        family=("Rahman", "Uddin", "Ahmed", "Chowdhury", "Islam", "Miah|Begum"),
        language="bengali", interpreter_rate=0.30,
    ),
    Origin(
        "portuguese", 0.015, 0.01,
        male=("João", "Tiago", "Rui", "Luís", "Gonçalo", "André"),
        female=("Ana", "Beatriz", "Inês", "Mariana", "Conceição", "Joana"),
        family=("Silva", "Santos", "Ferreira", "Pereira", "Costa", "Oliveira", "Gonçalves"),
        language="portuguese", interpreter_rate=0.35,
    ),
    Origin(
        "west_african", 0.015, 0.035,
        male=("Chinedu", "Kwame", "Kofi", "Oluwaseun", "Emeka", "Yaw"),
        female=("Adaeze", "Ngozi", "Abena", "Folake", "Chiamaka", "Efua"),
        family=("Okafor", "Adeyemi", "Mensah", "Osei", "Okonkwo", "Boateng", "Adebayo"),
        language="yoruba",
    ),
    Origin(
        "south_asian_indian", 0.02, 0.05,
        male=("Rajesh", "Sanjay", "Amit", "Gurpreet", "Harjit", "Vikram"),
        female=("Priya", "Sunita", "Manpreet", "Anjali", "Harpreet", "Kavita"),
        family=("Patel", "Singh|Kaur", "Sharma", "Gill", "Sandhu", "Mistry"),
        language="punjabi", interpreter_rate=0.05,
    ),
    Origin(
        "somali", 0.006, 0.003,
        male=("Abdi", "Mohamed", "Hassan", "Abdirahman"),
        female=("Hodan", "Amina", "Faadumo", "Sahra"),
        family=("Warsame", "Farah", "Hirsi", "Jama", "Abdullahi"),
        language="somali", interpreter_rate=0.40,
    ),
    Origin(
        "arabic", 0.007, 0.005,
        male=("Omar", "Yusuf", "Khalid", "Karim"),
        female=("Layla", "Mariam", "Noor", "Huda"),
        family=("Al-Sayed", "Haddad", "Nasser", "Mansour", "Saleh"),
        language="arabic", interpreter_rate=0.35,
    ),
    Origin(
        "romanian", 0.008, 0.008,
        male=("Andrei", "Mihai", "Ionuț", "Florin"),
        female=("Ioana", "Elena", "Andreea", "Ștefania"),
        family=("Popescu", "Ionescu", "Popa", "Dumitru", "Constantin"),
        language="romanian", interpreter_rate=0.35,
    ),
    Origin(
        "chinese", 0.006, 0.006,
        male=("Wei", "Jun", "Ka-Ho", "Chi-Wai"),
        female=("Mei", "Xiu", "Ling", "Wing-Yee"),
        family=("Chan", "Wong", "Cheung", "Lau", "Leung", "Ng"),
        language="cantonese", interpreter_rate=0.35,
    ),
    Origin(
        "eritrean", 0.003, 0.0,
        male=("Yonas", "Dawit", "Tesfay"),
        female=("Senait", "Mebrat", "Helen"),
        family=("Tesfaye", "Gebremedhin", "Haile", "Kidane"),
        language="tigrinya", interpreter_rate=0.60,
    ),
    Origin(
        "lithuanian", 0.006, 0.0,
        male=("Tomas", "Mantas", "Darius"),
        female=("Rūta", "Ieva", "Eglė"),
        family=("Petrauskas|Petrauskienė", "Jankauskas|Jankauskienė",
                "Stankevičius|Stankevičienė"),
        language="lithuanian", interpreter_rate=0.30,
    ),
)
ORIGIN_BY_KEY = {origin.key: origin for origin in ORIGINS}

# Languages British-born staff sometimes speak (the rest speak only English).
EXTRA_STAFF_LANGUAGES = ("welsh", "french", "spanish", "german", "irish")

# Invented place names: the first six are the default county's towns; the rest are made from
# syllables when a large run needs hundreds of localities.
DEFAULT_LOCALITIES = (
    "Westhaven", "Brackenford", "Kestlemouth", "Dunmere Vale", "Tarrow Moor", "Fennick",
)
PLACE_PREFIXES = (
    "Quarr", "Hesk", "Brack", "Cald", "Dun", "Brind", "Fenn", "Gorse", "Hollin", "Kest", "Lark",
    "Marr", "Nether", "Orr", "Pell", "Quen", "Rook", "Sedge", "Tarr", "Umber", "Vell", "Wyn",
    "Yarr", "Ashen", "Scarr", "Tolle", "Drey", "Ember", "Wend", "Ombr",
)
PLACE_SUFFIXES = (
    "combe", "ford", "mouth", "bury", "ham", "wick", "stow", "leigh", "minster", "well", "by",
    "ton",
)
POSTCODE_AREAS = ("WX", "WY", "WZ")  # not used by the Royal Mail
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters the inward code may use

STREET_NAMES = (
    "Larkspur", "Mill", "Church", "Station", "Orchard", "Chapel", "Victoria", "Albert",
    "Quarry", "Tanners", "Ropewalk", "Barley", "Willow", "Hawthorn", "Rowan", "Heron", "Kestrel",
    "Meadow", "Brook", "Fairfield", "Highfield", "Oakfield", "Beacon", "Harbour", "Priory",
    "Abbey", "Castle", "Market", "Bridge", "Wharf", "Cooper's", "St Anne's", "St Mary's",
    "Ferndown", "Foxglove", "Badger", "Linnet", "Saxon", "Tinker's", "Weavers",
)
STREET_TYPES = (
    "Road", "Street", "Lane", "Close", "Avenue", "Way", "Crescent", "Drive", "Gardens",
    "Terrace", "Place", "Court", "Walk", "Rise", "Mews",
)
BUILDING_NAMES = ("Kestrel House", "Alder Court", "Riverside House", "Mulberry Court",
                  "Beacon View", "The Old Forge", "Harbour Heights", "Priory Lodge")

GP_PRACTICE_PATTERNS = (
    "{street} Surgery", "{town} Medical Centre", "The {street} Practice",
    "{town} Health Centre", "{street} Family Practice",
)

COUNCIL_NAME = "Westshire Council"
TRUST_NAME = "Westshire Partnership NHS Trust"
COUNCIL_EMAIL_DOMAIN = "westshire.example"
TRUST_EMAIL_DOMAIN = "westshirepartnership.example"
LANDLINE_PREFIX = "01632 960"  # Ofcom drama range 01632 960000-960999
MOBILE_PREFIX = "07700 900"  # Ofcom drama range 07700 900000-900999
