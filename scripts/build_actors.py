#!/usr/bin/env python3
"""Writes data/actors/actors.tsv and data/actors/names.tsv, the gazetteer of international
actors (states, international organisations, armed groups), and checks their invariants.

Standard library only. Two modes:

  python3 scripts/build_actors.py --check
      Reads data/actors/*.tsv and checks the invariants (see check()). Needs no package.
      Exit status 0 when they hold, 1 (with one line per problem) when not.

  python3 scripts/build_actors.py --build NODE_MODULES
      Regenerates actors.tsv and names.tsv, then runs the check. NODE_MODULES is a folder
      holding two npm packages (both MIT):
          mkdir -p /tmp/actorpkgs && cd /tmp/actorpkgs && npm init -y \
              && npm install countries-list@3.4.1 i18n-iso-countries@7.14.0
          python3 scripts/build_actors.py --build /tmp/actorpkgs/node_modules
      From the packages come, for states only: the alpha-3 codes (i18n-iso-countries
      codes.json), the English names and aliases (i18n-iso-countries langs/en.json and
      countries-list countries.min.json), and the capitals (countries-list). Everything
      else is written by hand in the tables below (HAND_ACTORS, HAND_NAMES, ...).
      Rows that are in the existing names.tsv but that the build does not produce (lines a
      user appended by hand) are kept, appended at the end, and reported.

See data/actors/SOURCE.md for what every column means and where it came from.
"""
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "actors"
KINDS = {"state", "organisation", "armed_group"}
ROLES = {"name", "acronym", "adjective", "seat", "body", "ambiguous"}

# ISO 3166-1 entries that are not UN members or observers: dependent territories,
# uninhabited areas, and Western Sahara (ESH; the Sahrawi Republic is an AU member but
# neither a UN member nor observer). Everything else in ISO 3166-1 (193 members, VAT and
# PSE as observers, TWN), plus XKX, is a state here.
NOT_STATES = set("""
ASM AIA ATA ABW ALA BMU BES BVT IOT CYM CXR CCK COK CUW FLK FRO GUF PYF ATF GIB GRL GLP
GUM GGY HMD HKG IMN JEY MAC MTQ MYT MSR NCL NIU NFK MNP PCN PRI REU BLM SHN MAF SPM SXM
SGS SJM TKL TCA UMI VGB VIR WLF ESH ASC TAA
""".split())

# The display name (actors.tsv `name`) where the packages' first name is not the one a
# news reader knows.
COMMON_NAME = {
    "USA": "United States", "GBR": "United Kingdom", "RUS": "Russia", "CHN": "China",
    "KOR": "South Korea", "PRK": "North Korea", "IRN": "Iran", "TUR": "Turkey",
    "SYR": "Syria", "LAO": "Laos", "VNM": "Vietnam", "BRN": "Brunei", "MDA": "Moldova",
    "FSM": "Micronesia", "VAT": "Holy See (Vatican)", "TZA": "Tanzania", "CIV": "Ivory Coast",
    "CPV": "Cape Verde", "TLS": "East Timor", "CZE": "Czech Republic", "SWZ": "Eswatini",
    "MKD": "North Macedonia", "COD": "DR Congo", "COG": "Republic of the Congo",
    "GMB": "Gambia", "PSE": "Palestine", "TWN": "Taiwan", "XKX": "Kosovo", "BOL": "Bolivia",
    "VEN": "Venezuela", "NLD": "Netherlands", "BHS": "Bahamas",
    "STP": "Sao Tome and Principe", "ARE": "United Arab Emirates",
}

# Package names and aliases not used as patterns: historical names (and "Gold Coast", an
# Australian city), and the packages' list-style forms.
DROP_NAMES = {
    "Gold Coast", "East Pakistan", "Upper Volta", "Bahrein", "Dahomey", "Bechuanaland",
    "Byelorussia", "Belorussia", "British Honduras", "Zaire", "Ubangi-Shari",
    "Česká republika", "Abyssinia", "Kirghizia", "Kampuchea", "Gilbert Islands", "Ceylon",
    "Basutoland", "Moldavia", "French Sudan", "Nyasaland", "South West Africa", "Rumania",
    "Roumania", "Siam", "Turkmenia", "Ellice Islands", "Formosa", "Tanganyika",
    "New Hebrides", "Northern Rhodesia", "Rhodesia", "Southern Rhodesia",
    "Portuguese Guinea", "Dutch East Indies", "Spanish Sahara", "Persia", "FYROM",
    "The Netherlands", "The Gambia", "Republic of The Gambia", "Myanmar (Burma)",
    "Holy See (Vatican City State)", "Vatican City State", "Netherlands (Kingdom of the)",
    "The Republic of North Macedonia", "Korea, Republic of", "Moldova, Republic of",
    "Micronesia, Federated States of", "Taiwan, Province of China", "Lao PDR",
}

# Package names that are not used for one code (the pattern goes to another code).
DROP_CODE_NAMES = {("COG", "Congo")}

# Capitals the packages give that are replaced (None: no seat from the package).
CAPITAL_OVERRIDE = {
    "USA": "Washington", "BEL": None,  # Brussels is the EU's seat here (SOURCE.md)
    "SMR": "San Marino", "MNG": "Ulaanbaatar", "KIR": "Tarawa", "ISR": "Jerusalem",
    "YEM": "Sanaa", "TCD": "N'Djamena",
}

# Hand-written rows, `CODE <TAB> role <TAB> pattern; pattern; ...`. A hand row replaces a
# generated row of the same code and pattern (that is how a package name becomes
# `ambiguous`).
HAND_NAMES = """
AFG	adjective	Afghan; Afghans
AFG	name	Islamic Republic of Afghanistan
ALB	adjective	Albanian; Albanians
DZA	adjective	Algerian; Algerians
AND	adjective	Andorran; Andorrans
AGO	adjective	Angolan; Angolans
ATG	name	Antigua; Antigua & Barbuda
ATG	adjective	Antiguan; Antiguans
ATG	ambiguous	Saint John's; St John's; St. John's
ARG	adjective	Argentine; Argentinian; Argentines; Argentinians
ARG	seat	Casa Rosada
ARM	adjective	Armenian; Armenians
AUS	adjective	Australian; Australians
AUT	adjective	Austrian; Austrians
AZE	adjective	Azerbaijani; Azeri; Azerbaijanis; Azeris
BHS	adjective	Bahamian; Bahamians
BHR	adjective	Bahraini; Bahrainis
BGD	adjective	Bangladeshi; Bangladeshis
BRB	adjective	Barbadian; Barbadians
BLR	adjective	Belarusian; Belarusians; Belarussian
BEL	adjective	Belgian; Belgians
BLZ	adjective	Belizean; Belizeans
BEN	adjective	Beninese
BEN	seat	Cotonou
BTN	adjective	Bhutanese
BOL	name	Plurinational State of Bolivia
BOL	adjective	Bolivian; Bolivians
BOL	seat	La Paz
BOL	ambiguous	Sucre
BIH	name	Bosnia; Bosnia-Herzegovina; Bosnia & Herzegovina
BIH	adjective	Bosnian; Bosnians
BWA	adjective	Batswana; Motswana
BRA	adjective	Brazilian; Brazilians
BRA	seat	Planalto
BRN	adjective	Bruneian; Bruneians
BGR	adjective	Bulgarian; Bulgarians
BGR	ambiguous	Sofia
BFA	adjective	Burkinabe; Burkinabè
BDI	adjective	Burundian; Burundians
CPV	adjective	Cape Verdean; Cabo Verdean; Cape Verdeans
KHM	adjective	Cambodian; Cambodians
CMR	adjective	Cameroonian; Cameroonians
CAN	adjective	Canadian; Canadians
CAF	acronym	CAR
CAF	ambiguous	Central African
TCD	name	Republic of Chad
TCD	ambiguous	Chad
TCD	adjective	Chadian; Chadians
TCD	seat	Ndjamena
CHL	adjective	Chilean; Chileans
CHL	ambiguous	Santiago
CHN	name	Mainland China
CHN	acronym	PRC; P.R.C.
CHN	adjective	Chinese; China-backed; Chinese-backed; China-led; Chinese-led; China-brokered
CHN	seat	Zhongnanhai
CHN	acronym	PLA
CHN	body	People's Liberation Army
CHN	ambiguous	Hong Kong; Macau; Macao
COL	adjective	Colombian; Colombians
COL	seat	Casa de Nariño; Casa de Narino
COM	adjective	Comorian; Comorians
COG	name	Congo-Brazzaville; Republic of Congo; Congo Republic
COD	name	DR Congo; D.R. Congo; Democratic Republic of Congo; Congo-Kinshasa
COD	acronym	DRC
COD	ambiguous	Congo; Congolese
CRI	adjective	Costa Rican; Costa Ricans
CRI	ambiguous	San José; San Jose
CIV	name	Cote D'Ivoire
CIV	adjective	Ivorian; Ivorians
CIV	seat	Abidjan
HRV	adjective	Croatian; Croat; Croats; Croatians
CUB	adjective	Cuban; Cubans
CYP	adjective	Cypriot; Cypriots; Greek Cypriot; Greek Cypriots
CZE	adjective	Czech; Czechs
DNK	adjective	Danish; Dane; Danes
DNK	ambiguous	Greenland
DJI	adjective	Djiboutian; Djiboutians
DOM	adjective	Dominican; Dominicans
ECU	adjective	Ecuadorian; Ecuadorean; Ecuadorians; Ecuadoreans
EGY	adjective	Egyptian; Egyptians
SLV	adjective	Salvadoran; Salvadorean; Salvadorans
GNQ	adjective	Equatorial Guinean; Equatoguinean; Equatorial Guineans
ERI	adjective	Eritrean; Eritreans
EST	adjective	Estonian; Estonians
SWZ	adjective	Swazi; Swazis
SWZ	seat	Mbabane
ETH	adjective	Ethiopian; Ethiopians
FJI	adjective	Fijian; Fijians
FIN	adjective	Finnish; Finn; Finns
FRA	adjective	French; French-backed; French-led
FRA	seat	Élysée; Elysee; Élysée Palace; Elysee Palace; Quai d'Orsay; Matignon
GAB	adjective	Gabonese
GMB	adjective	Gambian; Gambians
GEO	name	Republic of Georgia
GEO	ambiguous	Georgia; Georgian; Georgians
DEU	name	Federal Republic of Germany
DEU	adjective	German; Germans
DEU	seat	Bundestag; Bundesrat
DEU	body	Bundeswehr
GHA	adjective	Ghanaian; Ghanaians
GRC	adjective	Greek; Greeks; Hellenic
GRD	adjective	Grenadian; Grenadians
GRD	ambiguous	St. George's; St George's; Saint George's
GTM	adjective	Guatemalan; Guatemalans
GIN	adjective	Guinean; Guineans
GNB	adjective	Bissau-Guinean; Bissau-Guineans
GUY	adjective	Guyanese
GUY	ambiguous	Georgetown
HTI	adjective	Haitian; Haitians
HND	adjective	Honduran; Hondurans
HUN	adjective	Hungarian; Hungarians
ISL	adjective	Icelandic; Icelander; Icelanders
IND	name	Republic of India
IND	adjective	Indian; Indians
IND	ambiguous	Delhi
IDN	adjective	Indonesian; Indonesians
IRN	adjective	Iranian; Iranians; Iran-backed; Iranian-backed; Iran-aligned; Iranian-aligned; Iran-allied
IRN	seat	Teheran
IRN	acronym	IRGC
IRN	body	Revolutionary Guards; Revolutionary Guard; Islamic Revolutionary Guard Corps
IRN	ambiguous	Islamic Republic
IRQ	adjective	Iraqi; Iraqis
IRL	adjective	Irish
ISR	name	State of Israel
ISR	adjective	Israeli; Israelis; Israeli-occupied; Israel-backed
ISR	seat	Knesset
ISR	acronym	IDF
ISR	body	Israel Defense Forces; Mossad; Shin Bet
ISR	ambiguous	Tel Aviv
ITA	adjective	Italian; Italians
ITA	seat	Palazzo Chigi
JAM	adjective	Jamaican; Jamaicans
JAM	ambiguous	Kingston
JPN	adjective	Japanese
JOR	name	Hashemite Kingdom of Jordan
JOR	ambiguous	Jordan
JOR	adjective	Jordanian; Jordanians
KAZ	adjective	Kazakh; Kazakhstani; Kazakhs
KAZ	seat	Nur-Sultan
KEN	adjective	Kenyan; Kenyans
KIR	adjective	I-Kiribati
KIR	seat	South Tarawa
PRK	name	Democratic People's Republic of Korea
PRK	acronym	DPRK; D.P.R.K.
PRK	adjective	North Korean; North Koreans
KOR	acronym	ROK
KOR	adjective	South Korean; South Koreans
KOR	seat	Blue House; Cheong Wa Dae; Yongsan
KOR	ambiguous	Korea; Korean
KWT	adjective	Kuwaiti; Kuwaitis
KGZ	adjective	Kyrgyz; Kyrgyzstani
LAO	adjective	Lao; Laotian; Laotians
LVA	adjective	Latvian; Latvians
LBN	adjective	Lebanese
LSO	adjective	Basotho; Mosotho
LBR	adjective	Liberian; Liberians
LBY	adjective	Libyan; Libyans
LBY	ambiguous	Tripoli
LIE	adjective	Liechtensteiner; Liechtensteiners
LTU	adjective	Lithuanian; Lithuanians
LUX	adjective	Luxembourgish; Luxembourger; Luxembourgers
MDG	adjective	Malagasy
MWI	adjective	Malawian; Malawians
MYS	adjective	Malaysian; Malaysians
MYS	seat	Putrajaya
MDV	adjective	Maldivian; Maldivians
MDV	ambiguous	Male
MLI	adjective	Malian; Malians
MLT	adjective	Maltese
MHL	adjective	Marshallese
MRT	adjective	Mauritanian; Mauritanians
MRT	name	Islamic Republic of Mauritania
MUS	adjective	Mauritian; Mauritians
MEX	adjective	Mexican; Mexicans
MEX	seat	Los Pinos; Palacio Nacional
FSM	name	Federated States of Micronesia
FSM	ambiguous	Micronesian
MDA	name	Republic of Moldova
MDA	adjective	Moldovan; Moldovans
MCO	adjective	Monegasque; Monégasque
MNG	adjective	Mongolian; Mongolians
MNG	seat	Ulan Bator
MNE	adjective	Montenegrin; Montenegrins
MAR	adjective	Moroccan; Moroccans
MOZ	adjective	Mozambican; Mozambicans
MMR	adjective	Burmese
MMR	seat	Naypyitaw; Nay Pyi Taw
MMR	body	Tatmadaw
NAM	adjective	Namibian; Namibians
NRU	adjective	Nauruan; Nauruans
NPL	adjective	Nepali; Nepalese
NLD	adjective	Dutch
NLD	ambiguous	Holland; Hague
NZL	adjective	New Zealander; New Zealanders
NIC	adjective	Nicaraguan; Nicaraguans
NER	adjective	Nigerien; Nigeriens
NGA	adjective	Nigerian; Nigerians
NGA	ambiguous	Niger Delta
MKD	name	Republic of North Macedonia
MKD	adjective	North Macedonian; North Macedonians
MKD	ambiguous	Macedonia; Macedonian
NOR	adjective	Norwegian; Norwegians
OMN	adjective	Omani; Omanis
PAK	adjective	Pakistani; Pakistanis
PAK	name	Islamic Republic of Pakistan
PLW	adjective	Palauan; Palauans
PSE	name	Palestinian Authority; Palestinian National Authority; Palestinian Territories; Occupied Palestinian Territories; Occupied Palestinian Territory
PSE	adjective	Palestinian; Palestinians
PSE	ambiguous	Gaza; Gaza Strip; West Bank; East Jerusalem
PAN	adjective	Panamanian; Panamanians
PNG	adjective	Papua New Guinean; Papua New Guineans
PNG	ambiguous	PNG
PRY	adjective	Paraguayan; Paraguayans
PER	adjective	Peruvian; Peruvians
PHL	adjective	Filipino; Filipinos; Philippine
POL	adjective	Polish; Poles
PRT	adjective	Portuguese
QAT	adjective	Qatari; Qataris
ROU	adjective	Romanian; Romanians
RUS	adjective	Russian; Russians; Russian-backed; Russia-backed; Russian-led; Russia-led; Russia-brokered; Russian-brokered; Russia-allied; Kremlin-backed; Moscow-backed
RUS	seat	Kremlin; Duma; State Duma
RUS	acronym	FSB
RUS	body	Africa Corps
RWA	adjective	Rwandan; Rwandans; Rwanda-backed; Rwandan-backed
KNA	name	St Kitts and Nevis; St. Kitts and Nevis; Saint Kitts; St Kitts
KNA	adjective	Kittitian; Nevisian
LCA	name	St Lucia; St. Lucia
LCA	adjective	Saint Lucian; St Lucian; Saint Lucians
VCT	name	St Vincent and the Grenadines; St. Vincent and the Grenadines; Saint Vincent; St Vincent
VCT	adjective	Vincentian; Vincentians
WSM	adjective	Samoan; Samoans
SMR	adjective	Sammarinese
STP	name	São Tomé and Príncipe; Sao Tome & Principe
STP	adjective	Santomean; Santomeans
SAU	name	Kingdom of Saudi Arabia
SAU	acronym	KSA
SAU	adjective	Saudi; Saudis; Saudi-led; Saudi-backed
SEN	adjective	Senegalese
SRB	adjective	Serbian; Serb; Serbs; Serbians
SYC	adjective	Seychellois
SYC	ambiguous	Victoria
SLE	adjective	Sierra Leonean; Sierra Leoneans
SGP	adjective	Singaporean; Singaporeans
SVK	adjective	Slovak; Slovakian; Slovaks
SVN	adjective	Slovenian; Slovene; Slovenes; Slovenians
SLB	adjective	Solomon Islander; Solomon Islanders
SOM	adjective	Somali; Somalis; Somalian
ZAF	adjective	South African; South Africans
ZAF	seat	Union Buildings
SSD	adjective	South Sudanese
ESP	adjective	Spanish; Spaniard; Spaniards
ESP	seat	Moncloa
LKA	adjective	Sri Lankan; Sri Lankans
LKA	seat	Colombo
SDN	adjective	Sudanese
SDN	seat	Port Sudan
SDN	body	Sudanese Armed Forces
SUR	adjective	Surinamese
SWE	adjective	Swedish; Swede; Swedes
CHE	adjective	Swiss
CHE	seat	Berne
SYR	adjective	Syrian; Syrians
TWN	name	Republic of China; Chinese Taipei
TWN	acronym	ROC
TWN	adjective	Taiwanese
TJK	adjective	Tajik; Tajikistani; Tajiks
TZA	adjective	Tanzanian; Tanzanians
TZA	seat	Dar es Salaam
THA	adjective	Thai
TLS	name	Timor Leste
TLS	adjective	Timorese; East Timorese
TGO	adjective	Togolese
TON	adjective	Tongan; Tongans
TTO	name	Trinidad; Trinidad & Tobago
TTO	adjective	Trinidadian; Trinidadians; Tobagonian
TTO	seat	Port-of-Spain
TUN	adjective	Tunisian; Tunisians
TUR	name	Republic of Türkiye; Republic of Turkey
TUR	adjective	Turkish; Turk; Turks; Turkish-backed; Turkey-backed
TKM	adjective	Turkmen
TUV	adjective	Tuvaluan; Tuvaluans
UGA	adjective	Ugandan; Ugandans
UKR	adjective	Ukrainian; Ukrainians
UKR	seat	Kiev
ARE	acronym	U.A.E.
ARE	adjective	Emirati; Emiratis; UAE-backed; Emirati-backed
ARE	ambiguous	Emirates
GBR	name	United Kingdom of Great Britain and Northern Ireland
GBR	acronym	U.K.; MI6
GBR	adjective	British; Briton; Britons; Brits; British-led; UK-led
GBR	seat	Downing Street; Whitehall; Westminster
GBR	ambiguous	England; Scotland; Wales; Northern Ireland
USA	name	America; United States of America
USA	acronym	US; U.S.; USA; U.S.A.; CIA
USA	adjective	American; Americans; US-led; US-backed; US-brokered; US-made; US-funded; US-sponsored; American-led; American-backed; America-backed; Washington-backed
USA	seat	Washington DC; Washington D.C.; White House; Pentagon; State Department; Foggy Bottom; Capitol Hill; Oval Office
URY	adjective	Uruguayan; Uruguayans
UZB	adjective	Uzbek; Uzbekistani; Uzbeks
VUT	adjective	Ni-Vanuatu
VAT	name	Holy See; Vatican; Vatican City
VAT	body	Pope; Pontiff
VEN	name	Bolivarian Republic of Venezuela
VEN	adjective	Venezuelan; Venezuelans
VEN	seat	Miraflores
VNM	name	Viet Nam
VNM	adjective	Vietnamese
YEM	adjective	Yemeni; Yemenis
YEM	seat	Sana'a; Aden
ZMB	adjective	Zambian; Zambians
ZWE	adjective	Zimbabwean; Zimbabweans
XKX	name	Republic of Kosovo
XKX	adjective	Kosovar; Kosovan; Kosovars
XKX	seat	Prishtina; Priština
CIV	seat	Yamoussoukro
NLD	seat	Amsterdam
BLR	seat	Minsk
UN	name	United Nations
UN	acronym	UN; U.N.; UNSC; UNGA; UNHCR; WFP; UNICEF; UNESCO; UNDP; OCHA; UNOCHA; UNRWA; UNIFIL; MONUSCO; UNFPA; OHCHR; UNHRC; UNMISS; MINUSMA; MINUSCA; UNAMA; UNAMI; UNFICYP; UNDOF; UNTSO; UNMIK; UNSMIL; BINUH; UNOPS; UNAIDS; UNEP; UNCTAD; ECOSOC; UNODC; UNIDO; UNFCCC; IPCC; FAO; ILO; IFAD; ICAO; IMO; ITU; WMO; WIPO; UNWTO; IOM
UN	body	Unicef; Unesco; Unrwa; Unifil; Monusco; Unhcr; Security Council; UN Security Council; General Assembly; UN General Assembly; UN Secretary-General; U.N. Secretary-General; UN Secretary General; UN chief; World Food Programme; World Food Program; Human Rights Council; UN Human Rights Council; High Commissioner for Human Rights; High Commissioner for Refugees; UN refugee agency; Blue Helmets; Blue Berets; UN peacekeepers; UN peacekeeping; UN Women; UN-Habitat; UN Environment Programme; Food and Agriculture Organization; International Labour Organization; International Labor Organization; International Organization for Migration; International Civil Aviation Organization; International Maritime Organization; International Telecommunication Union; World Meteorological Organization; World Intellectual Property Organization; Intergovernmental Panel on Climate Change; UN Human Rights Office; UN Development Programme; UN Children's Fund
UN	adjective	UN-backed; UN-brokered; UN-led; UN-run; UN-mandated; UN-funded; UN-sponsored
EU	name	European Union
EU	acronym	EU; E.U.; ECB; EEAS
EU	body	European Commission; EU Commission; European Council; Council of the European Union; Council of the EU; European Parliament; European Central Bank; European External Action Service; Eurogroup; European Court of Justice; Court of Justice of the European Union; Frontex; Europol; Eurojust; EU Council
EU	seat	Brussels
EU	adjective	EU-backed; EU-brokered; EU-funded; EU-led
NATO	name	North Atlantic Treaty Organization; North Atlantic Treaty Organisation; Atlantic Alliance
NATO	acronym	NATO; Nato
NATO	acronym	SHAPE
NATO	body	North Atlantic Council; Supreme Headquarters Allied Powers Europe
NATO	adjective	NATO-led; NATO-backed; Nato-led; Nato-backed
G7	name	Group of Seven
G7	acronym	G7; G-7
G20	name	Group of 20; Group of Twenty
G20	acronym	G20; G-20
ASEAN	name	Association of Southeast Asian Nations; Association of South-East Asian Nations
ASEAN	acronym	ASEAN; Asean
AU	name	African Union
AU	acronym	AU
AU	body	African Union Commission; AU Commission; African Union Peace and Security Council; AU Peace and Security Council
AU	acronym	AUSSOM; AMISOM; ATMIS
ECOWAS	name	Economic Community of West African States
ECOWAS	acronym	ECOWAS; Ecowas
OPEC	name	Organization of the Petroleum Exporting Countries; Organisation of the Petroleum Exporting Countries
OPEC	acronym	OPEC; Opec; OPEC+; Opec+
IMF	name	International Monetary Fund
IMF	acronym	IMF
WORLD_BANK	name	World Bank; World Bank Group; International Bank for Reconstruction and Development; International Development Association
WORLD_BANK	acronym	IBRD
WTO	name	World Trade Organization; World Trade Organisation
WTO	acronym	WTO
WHO	name	World Health Organization; World Health Organisation
WHO	acronym	WHO
WHO	body	World Health Assembly
IAEA	name	International Atomic Energy Agency
IAEA	acronym	IAEA
ICC	name	International Criminal Court
ICC	acronym	ICC
ICJ	name	International Court of Justice; World Court
ICJ	acronym	ICJ
BRICS	name	Brics
BRICS	acronym	BRICS
ARAB_LEAGUE	name	Arab League; League of Arab States
OSCE	name	Organization for Security and Co-operation in Europe; Organization for Security and Cooperation in Europe; Organisation for Security and Co-operation in Europe
OSCE	acronym	OSCE
GCC	name	Gulf Cooperation Council; Cooperation Council for the Arab States of the Gulf; Gulf Co-operation Council
GCC	acronym	GCC
SCO	name	Shanghai Cooperation Organisation; Shanghai Cooperation Organization
SCO	acronym	SCO
OAS	name	Organization of American States
OAS	acronym	OAS
CARICOM	name	Caribbean Community; Caricom
CARICOM	acronym	CARICOM
SADC	name	Southern African Development Community
SADC	acronym	SADC
MERCOSUR	name	Mercosur; Mercosul; Southern Common Market
MERCOSUR	acronym	MERCOSUR
IGAD	name	Intergovernmental Authority on Development
IGAD	acronym	IGAD
EAC	name	East African Community
EAC	acronym	EAC
COMMONWEALTH	name	Commonwealth of Nations; Commonwealth Secretariat; Commonwealth Heads of Government Meeting
COMMONWEALTH	acronym	CHOGM
COMMONWEALTH	ambiguous	Commonwealth
OIC	name	Organisation of Islamic Cooperation; Organization of Islamic Cooperation; Organisation of the Islamic Conference; Organization of the Islamic Conference
OIC	acronym	OIC
APEC	name	Asia-Pacific Economic Cooperation; Asia Pacific Economic Cooperation
APEC	acronym	APEC; Apec
OECD	name	Organisation for Economic Co-operation and Development; Organization for Economic Cooperation and Development; Organisation for Economic Cooperation and Development
OECD	acronym	OECD
INTERPOL	name	Interpol; International Criminal Police Organization
INTERPOL	acronym	INTERPOL
QUAD	name	Quadrilateral Security Dialogue
QUAD	ambiguous	Quad
CSTO	name	Collective Security Treaty Organization; Collective Security Treaty Organisation
CSTO	acronym	CSTO
EAEU	name	Eurasian Economic Union
EAEU	acronym	EAEU
CIS	name	Commonwealth of Independent States
CIS	acronym	CIS
COUNCIL_OF_EUROPE	name	Council of Europe; European Court of Human Rights
COUNCIL_OF_EUROPE	acronym	ECHR
OPCW	name	Organisation for the Prohibition of Chemical Weapons; Organization for the Prohibition of Chemical Weapons
OPCW	acronym	OPCW
IEA	name	International Energy Agency
IEA	acronym	IEA
ADB	name	Asian Development Bank
ADB	acronym	ADB
AIIB	name	Asian Infrastructure Investment Bank
AIIB	acronym	AIIB
AFDB	name	African Development Bank
AFDB	acronym	AfDB
EBRD	name	European Bank for Reconstruction and Development
EBRD	acronym	EBRD
FATF	name	Financial Action Task Force
FATF	acronym	FATF
CELAC	name	Community of Latin American and Caribbean States
CELAC	acronym	CELAC; Celac
SAARC	name	South Asian Association for Regional Cooperation
SAARC	acronym	SAARC; Saarc
ECCAS	name	Economic Community of Central African States
ECCAS	acronym	ECCAS
PIF	name	Pacific Islands Forum
AES	name	Alliance of Sahel States; Confederation of Sahel States
AES	ambiguous	AES
AUKUS	acronym	AUKUS; Aukus
FIVE_EYES	name	Five Eyes
NON_ALIGNED_MOVEMENT	name	Non-Aligned Movement; Non-Aligned Nations
G77	name	Group of 77
G77	acronym	G77; G-77
ISIS	name	Islamic State; Islamic State group; Islamic State of Iraq and Syria; Islamic State of Iraq and the Levant; Islamic State of Iraq and al-Sham; Daesh; Daish; Islamic State Khorasan; Islamic State Khorasan Province; Islamic State in the Greater Sahara; Islamic State Sahel Province; Islamic State Central Africa Province; Islamic State-Khorasan
ISIS	acronym	ISIS; ISIL; ISIS-K; ISKP; IS-K; ISGS; ISCAP
ISIS	ambiguous	IS
HAMAS	name	Hamas; Qassam Brigades; al-Qassam Brigades; Izz ad-Din al-Qassam Brigades; Izz al-Din al-Qassam Brigades; Ezzedine al-Qassam Brigades
HAMAS	adjective	Hamas-run; Hamas-led; Hamas-controlled
HAMAS	acronym	HAMAS
HEZBOLLAH	name	Hezbollah; Hizbollah; Hizbullah; Hizballah
HEZBOLLAH	adjective	Hezbollah-backed; Hezbollah-led
HOUTHIS	name	Houthis; Houthi; Huthis; Huthi; Ansar Allah; Ansarallah
HOUTHIS	adjective	Houthi-run; Houthi-controlled; Houthi-led
AL_SHABAAB	name	al-Shabaab; al Shabaab; al-Shabab; al Shabab; Shabaab; Harakat al-Shabaab al-Mujahideen
BOKO_HARAM	name	Boko Haram
TALIBAN	name	Taliban; Taleban; Islamic Emirate of Afghanistan
TALIBAN	adjective	Taliban-led; Taliban-run
TALIBAN	ambiguous	Islamic Emirate
AL_QAEDA	name	al-Qaeda; al Qaeda; al-Qaida; al Qaida; al-Qa'ida; Qaeda; al-Qaeda in the Arabian Peninsula; al-Qaeda in the Indian Subcontinent
AL_QAEDA	acronym	AQAP; AQIS
AQIM	name	al-Qaeda in the Islamic Maghreb; al Qaeda in the Islamic Maghreb; al-Qaida in the Islamic Maghreb; al Qaida in the Islamic Maghreb
AQIM	acronym	AQIM
ISWAP	name	Islamic State West Africa Province; Islamic State in West Africa Province; Islamic State's West Africa Province; Islamic State West Africa
ISWAP	acronym	ISWAP
PKK	name	Kurdistan Workers' Party; Kurdistan Workers Party
PKK	acronym	PKK
FARC	name	Revolutionary Armed Forces of Colombia; Farc
FARC	acronym	FARC
ELN	name	National Liberation Army; Ejército de Liberación Nacional; Ejercito de Liberacion Nacional
ELN	acronym	ELN
M23	acronym	M23
M23	name	March 23 Movement; Congo River Alliance; Alliance Fleuve Congo
M23	ambiguous	AFC
RSF	name	Rapid Support Forces
RSF	ambiguous	RSF
WAGNER	name	Wagner Group; Wagner mercenaries; Wagner PMC
WAGNER	ambiguous	Wagner
ISLAMIC_JIHAD	name	Islamic Jihad; Palestinian Islamic Jihad; Al-Quds Brigades; Saraya al-Quds
ISLAMIC_JIHAD	acronym	PIJ
TTP	name	Pakistani Taliban; Tehrik-i-Taliban Pakistan; Tehrik-e-Taliban Pakistan; Tehreek-e-Taliban Pakistan; Tehrik-e Taliban Pakistan; Tehrik-i Taliban Pakistan
TTP	acronym	TTP
LET	name	Lashkar-e-Taiba; Lashkar-e-Toiba; Lashkar-e-Tayyiba; Lashkar e Taiba
LET	acronym	LeT
JEM	name	Jaish-e-Mohammed; Jaish-e-Muhammad; Jaish-e-Mohammad; Jaish e Mohammed
JEM	acronym	JeM
JNIM	name	Jama'at Nusrat al-Islam wal-Muslimin; Jamaat Nusrat al-Islam wal-Muslimin; Group for the Support of Islam and Muslims; Ansar Dine
JNIM	acronym	JNIM
ADF	name	Allied Democratic Forces
ADF	ambiguous	ADF
ARAKAN_ARMY	name	Arakan Army
KIA	name	Kachin Independence Army
KIA	ambiguous	KIA
ULFA	name	United Liberation Front of Asom; United Liberation Front of Assam
ULFA	acronym	ULFA; ULFA-I
NPA	name	New People's Army
NPA	ambiguous	NPA
ABU_SAYYAF	name	Abu Sayyaf; Abu Sayyaf Group
ABU_SAYYAF	acronym	ASG
HTS	name	Hayat Tahrir al-Sham; Hay'at Tahrir al-Sham; Hayat Tahrir al-Cham; Tahrir al-Sham; Nusra Front; al-Nusra Front; Jabhat al-Nusra; Jabhat Fateh al-Sham
HTS	acronym	HTS
SDF	name	Syrian Democratic Forces; People's Protection Units
SDF	acronym	YPG
SDF	ambiguous	SDF
KATAIB_HEZBOLLAH	name	Kataib Hezbollah; Kata'ib Hezbollah; Kataib Hizbollah; Islamic Resistance in Iraq
BLA	name	Baloch Liberation Army; Balochistan Liberation Army
BLA	ambiguous	BLA
TPLF	name	Tigray People's Liberation Front; Tigrayan forces; Tigray Defence Forces; Tigray Defense Forces
TPLF	acronym	TPLF
OLA	name	Oromo Liberation Army
OLA	ambiguous	OLA
FANO	name	Fano; Fano militia
POLISARIO	name	Polisario Front; Polisario
JAISH_AL_ADL	name	Jaish al-Adl; Jaish ul-Adl
MNDAA	name	Myanmar National Democratic Alliance Army
MNDAA	acronym	MNDAA
TNLA	name	Ta'ang National Liberation Army
TNLA	acronym	TNLA
KNU	name	Karen National Union; Karen National Liberation Army
KNU	acronym	KNU; KNLA
LRA	name	Lord's Resistance Army
MAHDI_ARMY	name	Mahdi Army; Jaish al-Mahdi; Jaysh al-Mahdi
ETA	name	Euskadi Ta Askatasuna
ETA	acronym	ETA
HUJI	name	Harkat-ul-Jihad al-Islami; Harkat-ul-Jihad-al-Islami; Harkat ul-Jihad al-Islami
HUJI	acronym	HuJI; HUJI
STC	name	Southern Transitional Council
STC	ambiguous	STC
"""

HAND_ACTORS = """
UN	organisation	United Nations
EU	organisation	European Union
NATO	organisation	North Atlantic Treaty Organization
G7	organisation	Group of Seven
G20	organisation	Group of Twenty
ASEAN	organisation	Association of Southeast Asian Nations
AU	organisation	African Union
ECOWAS	organisation	Economic Community of West African States
OPEC	organisation	Organization of the Petroleum Exporting Countries
IMF	organisation	International Monetary Fund
WORLD_BANK	organisation	World Bank
WTO	organisation	World Trade Organization
WHO	organisation	World Health Organization
IAEA	organisation	International Atomic Energy Agency
ICC	organisation	International Criminal Court
ICJ	organisation	International Court of Justice
BRICS	organisation	BRICS
ARAB_LEAGUE	organisation	Arab League
OSCE	organisation	Organization for Security and Co-operation in Europe
GCC	organisation	Gulf Cooperation Council
SCO	organisation	Shanghai Cooperation Organisation
OAS	organisation	Organization of American States
CARICOM	organisation	Caribbean Community
SADC	organisation	Southern African Development Community
MERCOSUR	organisation	Mercosur
IGAD	organisation	Intergovernmental Authority on Development
EAC	organisation	East African Community
COMMONWEALTH	organisation	Commonwealth of Nations
OIC	organisation	Organisation of Islamic Cooperation
APEC	organisation	Asia-Pacific Economic Cooperation
OECD	organisation	Organisation for Economic Co-operation and Development
INTERPOL	organisation	Interpol
QUAD	organisation	Quadrilateral Security Dialogue
CSTO	organisation	Collective Security Treaty Organization
EAEU	organisation	Eurasian Economic Union
CIS	organisation	Commonwealth of Independent States
COUNCIL_OF_EUROPE	organisation	Council of Europe
OPCW	organisation	Organisation for the Prohibition of Chemical Weapons
IEA	organisation	International Energy Agency
ADB	organisation	Asian Development Bank
AIIB	organisation	Asian Infrastructure Investment Bank
AFDB	organisation	African Development Bank
EBRD	organisation	European Bank for Reconstruction and Development
FATF	organisation	Financial Action Task Force
CELAC	organisation	Community of Latin American and Caribbean States
SAARC	organisation	South Asian Association for Regional Cooperation
ECCAS	organisation	Economic Community of Central African States
PIF	organisation	Pacific Islands Forum
AES	organisation	Alliance of Sahel States
AUKUS	organisation	AUKUS
FIVE_EYES	organisation	Five Eyes
NON_ALIGNED_MOVEMENT	organisation	Non-Aligned Movement
G77	organisation	Group of 77
ISIS	armed_group	Islamic State
HAMAS	armed_group	Hamas
HEZBOLLAH	armed_group	Hezbollah
HOUTHIS	armed_group	Houthis (Ansar Allah)
AL_SHABAAB	armed_group	al-Shabaab
BOKO_HARAM	armed_group	Boko Haram
TALIBAN	armed_group	Taliban
AL_QAEDA	armed_group	al-Qaeda
AQIM	armed_group	al-Qaeda in the Islamic Maghreb
ISWAP	armed_group	Islamic State West Africa Province
PKK	armed_group	Kurdistan Workers' Party
FARC	armed_group	FARC (and its dissident factions)
ELN	armed_group	National Liberation Army (Colombia)
M23	armed_group	M23 (March 23 Movement)
RSF	armed_group	Rapid Support Forces (Sudan)
WAGNER	armed_group	Wagner Group
ISLAMIC_JIHAD	armed_group	Palestinian Islamic Jihad
TTP	armed_group	Tehrik-i-Taliban Pakistan
LET	armed_group	Lashkar-e-Taiba
JEM	armed_group	Jaish-e-Mohammed
JNIM	armed_group	Jama'at Nusrat al-Islam wal-Muslimin
ADF	armed_group	Allied Democratic Forces
ARAKAN_ARMY	armed_group	Arakan Army
KIA	armed_group	Kachin Independence Army
ULFA	armed_group	United Liberation Front of Asom
NPA	armed_group	New People's Army
ABU_SAYYAF	armed_group	Abu Sayyaf
HTS	armed_group	Hayat Tahrir al-Sham
SDF	armed_group	Syrian Democratic Forces
KATAIB_HEZBOLLAH	armed_group	Kataib Hezbollah
BLA	armed_group	Baloch Liberation Army
TPLF	armed_group	Tigray People's Liberation Front
OLA	armed_group	Oromo Liberation Army
FANO	armed_group	Fano
POLISARIO	armed_group	Polisario Front
JAISH_AL_ADL	armed_group	Jaish al-Adl
MNDAA	armed_group	Myanmar National Democratic Alliance Army
TNLA	armed_group	Ta'ang National Liberation Army
KNU	armed_group	Karen National Union
LRA	armed_group	Lord's Resistance Army
MAHDI_ARMY	armed_group	Mahdi Army
ETA	armed_group	ETA (Basque separatists)
HUJI	armed_group	Harkat-ul-Jihad al-Islami
STC	armed_group	Southern Transitional Council (Yemen)
"""

# States that have no `seat` row or no `adjective` row, and why (the check allows these).
NO_SEAT = {
    "BEL": "Brussels is the EU's seat here",
    # The capital has the state's own name: the `name` row covers it.
    "DJI": "capital Djibouti = name", "LUX": "capital Luxembourg = name",
    "MCO": "capital Monaco = name", "SGP": "capital Singapore = name",
    "SMR": "capital San Marino = name", "VAT": "Vatican City = name",
    # The capital's name is mostly something else, so it is `ambiguous`.
    "ATG": "St John's", "BGR": "Sofia", "CHL": "Santiago", "CRI": "San Jose",
    "GRD": "St George's", "GUY": "Georgetown", "JAM": "Kingston", "LBY": "Tripoli",
    "SYC": "Victoria",
}
NO_ADJECTIVE = {
    "DMA": "'Dominican' is given to DOM",
    "COG": "'Congolese' is given to COD (ambiguous)",
    "COD": "'Congolese' is `ambiguous`",
    "VAT": "'Vatican' is a name of VAT, no separate adjective",
    "MKD": None, "GEO": None, "CAF": None, "FSM": None,  # adjective is `ambiguous`
    "SGP": None, "KIR": None, "VUT": None,
}


def fold(s: str) -> str:
    """The ASCII spelling of a pattern: diacritics removed."""
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


TOKEN = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*\.?", re.UNICODE)


def tokens(s: str) -> tuple:
    """An approximation of the service's tokens (letters/digits; '.' inside a token and '-'
    joining words kept; any other punctuation splits), lower-cased: used for the checks."""
    return tuple(t.lower().rstrip(".") if t.count(".") == 1 else t.lower()
                 for t in TOKEN.findall(unicodedata.normalize("NFC", s)))


def hand_rows(block: str):
    for line in block.strip().splitlines():
        code, role, patterns = line.split("\t")
        for p in patterns.split(";"):
            p = p.strip()
            if p:
                yield code, p, role


def role_of(pattern: str) -> str:
    letters = [c for c in pattern if c.isalpha()]
    return "acronym" if letters and all(c.isupper() for c in letters) and " " not in pattern else "name"


def build(node_modules: Path) -> None:
    codes = json.loads((node_modules / "i18n-iso-countries" / "codes.json").read_text())
    a2_to_a3 = {a2: a3 for a2, a3, _num, _iso in codes}
    a2_to_a3["XK"] = "XKX"
    en = json.loads((node_modules / "i18n-iso-countries" / "langs" / "en.json").read_text())["countries"]
    cl = json.loads((node_modules / "countries-list" / "countries.min.json").read_text())

    states = {}  # a3 -> (display name, [patterns], capital)
    for a2, a3 in sorted(a2_to_a3.items(), key=lambda kv: kv[1]):
        if a3 in NOT_STATES:
            continue
        names = en.get(a2, [])
        names = [names] if isinstance(names, str) else list(names)
        info = cl.get(a2, {})
        if info.get("name"):
            names.append(info["name"])
        names += info.get("alias", [])
        capital = CAPITAL_OVERRIDE.get(a3, info.get("capital"))
        display = COMMON_NAME.get(a3, names[0])
        states[a3] = (display, names, capital)
    assert len(states) == 197, len(states)

    rows = []  # (code, pattern, role)
    for a3, (display, names, capital) in states.items():
        for n in [display] + names:
            if n in DROP_NAMES or (a3, n) in DROP_CODE_NAMES or "(" in n or "," in n:
                continue
            for v in (n, fold(n)):
                rows.append((a3, v, role_of(v)))
        if capital:
            for v in (capital, fold(capital)):
                rows.append((a3, v, "seat"))
    hand = list(hand_rows(HAND_NAMES))
    for code, p, role in list(hand):
        if role != "acronym" and fold(p) != p:
            hand.append((code, fold(p), role))
    hand_keys = {(c, tokens(p)) for c, p, _r in hand}
    rows = [r for r in rows if (r[0], tokens(r[1])) not in hand_keys] + hand

    # One row per (code, tokens); the first wins (package rows before hand rows, except
    # where a hand row replaced them above).
    seen, out = set(), []
    for code, p, role in rows:
        key = (code, "acronym", p) if role == "acronym" else (code, tokens(p))
        if key not in seen:
            seen.add(key)
            out.append((code, p, role))

    actors = [(a3, "state", d) for a3, (d, _n, _c) in states.items()]
    actors += [tuple(l.split("\t")) for l in HAND_ACTORS.strip().splitlines()]

    # Keep rows a user appended to names.tsv by hand.
    names_path = OUT / "names.tsv"
    kept = []
    if names_path.exists():
        have = {(c, p) for c, p, _r in out}
        for line in names_path.read_text(encoding="utf-8").splitlines()[1:]:
            if not line.strip():
                continue
            c, p, r = line.split("\t")
            if (c, p) not in have:
                kept.append((c, p, r))
    if kept:
        print(f"kept {len(kept)} rows of names.tsv that the build does not produce:", file=sys.stderr)
        for r in kept:
            print("  " + "\t".join(r), file=sys.stderr)
    actors_path = OUT / "actors.tsv"
    kept_actors = []
    if actors_path.exists():
        have = {a[0] for a in actors}
        for line in actors_path.read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip() and line.split("\t")[0] not in have:
                kept_actors.append(tuple(line.split("\t")))

    OUT.mkdir(parents=True, exist_ok=True)
    with actors_path.open("w", encoding="utf-8") as f:
        f.write("code\tkind\tname\n")
        for a in actors + kept_actors:
            f.write("\t".join(a) + "\n")
    with names_path.open("w", encoding="utf-8") as f:
        f.write("code\tpattern\trole\n")
        for r in out + kept:
            f.write("\t".join(r) + "\n")
    print(f"wrote {len(actors) + len(kept_actors)} actors, {len(out) + len(kept)} names", file=sys.stderr)


def read_tsv(path: Path, header: list) -> list:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != header:
        raise SystemExit(f"{path}: the first line must be {chr(9).join(header)!r}")
    out = []
    for i, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        out.append((i, cols))
    return out


def check() -> list:
    """The invariants, one message per violation."""
    problems = []
    actors = read_tsv(OUT / "actors.tsv", ["code", "kind", "name"])
    names = read_tsv(OUT / "names.tsv", ["code", "pattern", "role"])
    kind = {}
    for i, cols in actors:
        if len(cols) != 3 or not all(c.strip() == c and c for c in cols):
            problems.append(f"actors.tsv:{i}: want 3 non-empty tab-separated columns without surrounding spaces: {cols!r}")
            continue
        code, k, _name = cols
        if not re.fullmatch(r"[A-Z0-9]+(_[A-Z0-9]+)*", code):
            problems.append(f"actors.tsv:{i}: code {code!r} is not upper-case words joined by _")
        if k not in KINDS:
            problems.append(f"actors.tsv:{i}: kind {k!r} not one of {sorted(KINDS)}")
        if k == "state" and not re.fullmatch(r"[A-Z]{3}", code):
            problems.append(f"actors.tsv:{i}: state code {code!r} is not alpha-3")
        if code in kind:
            problems.append(f"actors.tsv:{i}: code {code} listed twice")
        kind[code] = k
    seen = {}
    by_tokens = {}
    roles_of = {}
    for i, cols in names:
        if len(cols) != 3 or not all(c.strip() == c and c for c in cols):
            problems.append(f"names.tsv:{i}: want 3 non-empty tab-separated columns without surrounding spaces: {cols!r}")
            continue
        code, p, role = cols
        if code not in kind:
            problems.append(f"names.tsv:{i}: code {code} is not in actors.tsv")
        if role not in ROLES:
            problems.append(f"names.tsv:{i}: role {role!r} not one of {sorted(ROLES)}")
        if p.lower().startswith("the "):
            problems.append(f"names.tsv:{i}: pattern {p!r} starts with 'the'")
        t = tokens(p)
        if not t:
            problems.append(f"names.tsv:{i}: pattern {p!r} has no token")
        letters = [c for c in p if c.isalpha()]
        if len(letters) >= 2 and " " not in p and all(c.isupper() for c in letters) and role not in ("acronym", "ambiguous"):
            problems.append(f"names.tsv:{i}: {p!r} is all upper case: its role must be `acronym` (exact case) or `ambiguous`")
        key = (code, p if role == "acronym" else t)
        if key in seen:
            problems.append(f"names.tsv:{i}: ({code}, {p!r}) repeats line {seen[key]}")
        seen[key] = i
        # Acronyms match by exact case, so "US" and "us" differ; for the rest, case folds.
        by_tokens.setdefault(p if role == "acronym" else t, []).append((code, role, i))
        roles_of.setdefault(code, set()).add(role)
    for pat, uses in by_tokens.items():
        codes = {c for c, _r, _i in uses}
        if len(codes) > 1 and not all(r == "ambiguous" for _c, r, _i in uses):
            where = ", ".join(f"{c}/{r} (line {i})" for c, r, i in uses)
            problems.append(f"names.tsv: pattern {pat!r} names {sorted(codes)} and is not `ambiguous` in every row: {where}")
    for code, k in kind.items():
        roles = roles_of.get(code, set())
        if not roles & {"name", "acronym"}:
            problems.append(f"actor {code}: no `name` or `acronym` row in names.tsv")
        if k == "state":
            if "seat" not in roles and code not in NO_SEAT:
                problems.append(f"state {code}: no `seat` row (add one, or list it in NO_SEAT with the reason)")
            if "adjective" not in roles and code not in NO_ADJECTIVE:
                problems.append(f"state {code}: no `adjective` row (add one, or list it in NO_ADJECTIVE)")
    states = [c for c, k in kind.items() if k == "state"]
    if len(states) < 197:
        problems.append(f"actors.tsv: {len(states)} states, want at least 197 (193 UN members, VAT, PSE, TWN, XKX)")
    stop = OUT / "stopnames.tsv"
    if stop.exists():
        names_tokens = set(by_tokens)
        for i, cols in read_tsv(stop, ["pattern", "reason"]):
            if len(cols) != 2 or not cols[0]:
                problems.append(f"stopnames.tsv:{i}: want 2 tab-separated columns: {cols!r}")
            elif tokens(cols[0]) in names_tokens:
                problems.append(f"stopnames.tsv:{i}: {cols[0]!r} is also a pattern in names.tsv")
    return problems


def main(argv: list) -> int:
    if len(argv) == 3 and argv[1] == "--build":
        build(Path(argv[2]))
    elif len(argv) != 2 or argv[1] != "--check":
        print(__doc__, file=sys.stderr)
        return 2
    problems = check()
    for p in problems:
        print(p)
    if not problems:
        a = len(read_tsv(OUT / "actors.tsv", ["code", "kind", "name"]))
        n = len(read_tsv(OUT / "names.tsv", ["code", "pattern", "role"]))
        print(f"ok: {a} actors, {n} names")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
