// Package importer reads a workbook (one sheet per kind of row) or CSV
// files (one per kind), checks every row, and applies them in one
// transaction through the store: upserts by natural key, so the same file
// twice changes nothing the second time. Rows name each other and
// existing nodes by their keys (a startup's key, a university's, a
// fund's, a market's code, a cohort's), never by ids. Every problem of a
// file is reported at once, with its sheet, row, column and value; a file
// with problems writes nothing, and neither does a dry run.
package importer

import (
	"strings"

	"startupgraph/internal/model"
)

// Kind is a kind of row: a sheet of the workbook, or a CSV file.
type Kind string

// The kinds, in the order they are applied (rows that others name first).
const (
	Startups          Kind = "startups"
	Mentors           Kind = "mentors"
	Assignments       Kind = "assignments"
	Mentorships       Kind = "mentorships"
	Investments       Kind = "investments"
	MarketTargets     Kind = "market targets"
	CohortMemberships Kind = "cohort memberships"
	Outcomes          Kind = "outcomes"
)

// Kinds are every kind, in the order they are applied.
var Kinds = []Kind{Startups, Mentors, Assignments, Mentorships, Investments, MarketTargets, CohortMemberships, Outcomes}

// valueType is how a cell is read.
type valueType int

const (
	tText  valueType = iota // trimmed text, lo..hi characters
	tKey                    // a node's key: lowercase letters, digits, hyphens
	tDate                   // ISO 8601 date (or a spreadsheet's date cell)
	tEnum                   // one of enum's values
	tInt                    // whole number lo..hi
	tKRW                    // whole won, 0..model.MaxKRW
	tBool                   // true/false
	tKeys                   // keys joined by ';' (as /export joins a list)
	tLangs                  // ISO 639-1 codes joined by ';'
)

// ref is the kind of node a key column names.
type ref int

const (
	refNone ref = iota
	refStartup
	refMentor
	refUniversity
	refOrganization
	refSector
	refFund
	refProgram
	refCohort
	refMarket
)

// column is one column of a sheet: its header, how its cells read, what
// an empty or missing cell means, the table column it is written to
// ("" when it is not written as is), and its notes for the template.
type column struct {
	name     string
	typ      valueType
	lo, hi   int64
	enum     string // model.EnumOrder's name, for tEnum
	required bool   // the column must be there and every cell filled
	def      string // the value of an empty cell in a new row
	ref      ref
	sql      string
	sqlType  string
	match    bool // part of the row's natural key
	example  string
	en, ko   string
}

// sheet is a kind's columns and table.
type sheet struct {
	kind    Kind
	table   string
	version bool // its rows carry a version that moves on when they change
	columns []column
}

func (s *sheet) col(name string) int {
	for i, c := range s.columns {
		if c.name == name {
			return i
		}
	}
	panic("importer: no column " + name + " in " + string(s.kind))
}

var sheets = map[Kind]*sheet{
	Startups: {kind: Startups, table: "startups", version: true, columns: []column{
		{name: "key", typ: tKey, required: true, sql: "key", sqlType: "text", match: true, example: "svc-aqua-sense",
			en: "The startup's key (lowercase letters, digits, hyphens); a row with an existing key updates that startup.",
			ko: "스타트업 키(영문 소문자, 숫자, 하이픈). 이미 있는 키면 그 스타트업을 수정합니다."},
		{name: "nameKo", typ: tText, lo: 1, hi: 200, required: true, sql: "name_ko", sqlType: "text", example: "아쿠아센스",
			en: "Korean name; a new startup whose name matches an existing one's (ignoring case, width, spaces) is refused unless allowDuplicateName is true.",
			ko: "한글 이름. 새 스타트업의 이름이 기존 이름과 같으면(대소문자·전각/반각·공백 무시) allowDuplicateName이 true가 아닌 한 거부됩니다."},
		{name: "nameEn", typ: tText, lo: 1, hi: 200, required: true, sql: "name_en", sqlType: "text", example: "Aqua Sense",
			en: "English name; checked for duplicates as nameKo.", ko: "영문 이름. nameKo와 같이 중복을 검사합니다."},
		{name: "stage", typ: tEnum, enum: "GrowthStage", def: "IDEA", sql: "stage", sqlType: "text", example: "PROTOTYPE",
			en: "Growth stage: IDEA, FOUNDING, PROTOTYPE, R_AND_D, MARKETING, INVESTMENT, FINANCING, OVERSEAS_EXPANSION (IDEA when empty). A different stage for an existing startup is a stage move, kept in its history.",
			ko: "성장 단계(비우면 IDEA). 기존 스타트업의 단계가 다르면 단계 이동으로 이력에 남습니다."},
		{name: "stageChangedOn", typ: tDate, example: "2024-03-01",
			en: "Date of the stage move (today when empty): not in the future, not before the founding date nor the last stage change.",
			ko: "단계 이동 날짜(비우면 오늘). 미래, 설립일 이전, 마지막 단계 변경 이전은 안 됩니다."},
		{name: "stageReason", typ: tText, hi: 500, example: "",
			en: "Why the startup moves back to an earlier stage (required for such a move).",
			ko: "이전 단계로 되돌리는 이유(되돌릴 때 필수)."},
		{name: "foundedOn", typ: tDate, sql: "founded_on", sqlType: "date", example: "2023-05-10",
			en: "Founding date: not in the future, not after the first stage change or an investment not marked preFounding.",
			ko: "설립일. 미래, 첫 단계 변경 이후, preFounding이 아닌 투자 이후는 안 됩니다."},
		{name: "descriptionKo", typ: tText, hi: 2000, sql: "description_ko", sqlType: "text", example: "수질 센서",
			en: "Korean description.", ko: "한글 설명."},
		{name: "descriptionEn", typ: tText, hi: 2000, sql: "description_en", sqlType: "text", example: "Water-quality sensors",
			en: "English description.", ko: "영문 설명."},
		{name: "sectors", typ: tKeys, hi: 10, ref: refSector, example: "smart-factory; bio-convergence",
			en: "Sector keys separated by ';' (at most 10); the startup's sectors become exactly these.",
			ko: "분야 키를 ';'로 구분(최대 10개). 스타트업의 분야가 정확히 이것이 됩니다."},
		{name: "allowDuplicateName", typ: tBool, def: "false", example: "false",
			en: "true creates the startup even when its name matches an existing one's.", ko: "true면 이름이 같아도 만듭니다."},
	}},
	Mentors: {kind: Mentors, table: "mentors", version: true, columns: []column{
		{name: "key", typ: tKey, required: true, sql: "key", sqlType: "text", match: true, example: "mentor-kim-jiho",
			en: "The mentor's key; an existing key updates that mentor.", ko: "멘토 키. 이미 있는 키면 그 멘토를 수정합니다."},
		{name: "nameKo", typ: tText, lo: 1, hi: 200, required: true, sql: "name_ko", sqlType: "text", example: "김지호",
			en: "Korean name (checked for duplicates as a startup's).", ko: "한글 이름(스타트업처럼 중복 검사)."},
		{name: "nameEn", typ: tText, lo: 1, hi: 200, required: true, sql: "name_en", sqlType: "text", example: "Kim Jiho",
			en: "English name (checked for duplicates).", ko: "영문 이름(중복 검사)."},
		{name: "titleKo", typ: tText, hi: 200, sql: "title_ko", sqlType: "text", example: "교수", en: "Korean title.", ko: "한글 직함."},
		{name: "titleEn", typ: tText, hi: 200, sql: "title_en", sqlType: "text", example: "Professor", en: "English title.", ko: "영문 직함."},
		{name: "taskForceMember", typ: tBool, def: "false", sql: "task_force_member", sqlType: "boolean", example: "false",
			en: "true for an expert of the 4th Industrial Revolution Response Task Force.", ko: "4차 산업혁명 대응 TF 전문가면 true."},
		{name: "university", typ: tKey, ref: refUniversity, sql: "affiliated_university_id", sqlType: "bigint", example: "ghent-university",
			en: "Key of the university the mentor belongs to (not with organization).", ko: "소속 대학 키(organization과 함께 쓸 수 없음)."},
		{name: "organization", typ: tKey, ref: refOrganization, sql: "affiliated_organization_id", sqlType: "bigint", example: "",
			en: "Key of the organization the mentor belongs to (not with university).", ko: "소속 기관 키(university와 함께 쓸 수 없음)."},
		{name: "languages", typ: tLangs, hi: 10, def: "", sql: "languages", sqlType: "text[]", example: "ko; en",
			en: "ISO 639-1 language codes separated by ';'.", ko: "ISO 639-1 언어 코드를 ';'로 구분."},
		{name: "sectors", typ: tKeys, hi: 10, ref: refSector, example: "robotics",
			en: "Sector keys separated by ';'; the mentor's sectors become exactly these.", ko: "분야 키를 ';'로 구분. 멘토의 분야가 정확히 이것이 됩니다."},
		{name: "allowDuplicateName", typ: tBool, def: "false", example: "false",
			en: "true creates the mentor even when its name matches an existing one's.", ko: "true면 이름이 같아도 만듭니다."},
	}},
	Assignments: {kind: Assignments, table: "assignments", columns: []column{
		{name: "startup", typ: tKey, required: true, ref: refStartup, sql: "startup_id", sqlType: "bigint", match: true, example: "svc-aqua-sense",
			en: "Key of the startup (in this file or existing).", ko: "스타트업 키(이 파일 또는 기존)."},
		{name: "university", typ: tKey, required: true, ref: refUniversity, sql: "university_id", sqlType: "bigint", match: true, example: "george-mason-university",
			en: "Key of the university.", ko: "대학 키."},
		{name: "purpose", typ: tEnum, enum: "AssignmentPurpose", required: true, sql: "purpose", sqlType: "text", match: true, example: "JOINT_PROJECT",
			en: "JOINT_PROJECT, OVERSEAS_STRATEGY or INTERNSHIP; with startup and university it names the assignment.",
			ko: "JOINT_PROJECT, OVERSEAS_STRATEGY, INTERNSHIP. startup, university와 함께 배정을 식별합니다."},
		{name: "status", typ: tEnum, enum: "AssignmentStatus", def: "ACTIVE", sql: "status", sqlType: "text", example: "ACTIVE",
			en: "ACTIVE, COMPLETED or ENDED (ACTIVE when empty).", ko: "ACTIVE, COMPLETED, ENDED(비우면 ACTIVE)."},
		{name: "since", typ: tDate, required: true, sql: "since", sqlType: "date", example: "2024-03-01", en: "Start date.", ko: "시작일."},
		{name: "until", typ: tDate, sql: "until", sqlType: "date", example: "", en: "End date, not before since.", ko: "종료일(시작일 이후)."},
	}},
	Mentorships: {kind: Mentorships, table: "mentorships", columns: []column{
		{name: "mentor", typ: tKey, required: true, ref: refMentor, sql: "mentor_id", sqlType: "bigint", match: true, example: "mentor-kim-jiho",
			en: "Key of the mentor (in this file or existing).", ko: "멘토 키(이 파일 또는 기존)."},
		{name: "startup", typ: tKey, required: true, ref: refStartup, sql: "startup_id", sqlType: "bigint", match: true, example: "svc-aqua-sense",
			en: "Key of the startup.", ko: "스타트업 키."},
		{name: "since", typ: tDate, required: true, sql: "since", sqlType: "date", match: true, example: "2024-04-01",
			en: "Start date; with mentor and startup it names the mentorship.", ko: "시작일. mentor, startup과 함께 멘토링을 식별합니다."},
		{name: "focus", typ: tText, lo: 1, hi: 200, required: true, sql: "focus", sqlType: "text", example: "Lean Startup",
			en: "What the mentoring is about.", ko: "멘토링 주제."},
		{name: "until", typ: tDate, sql: "until", sqlType: "date", example: "", en: "End date, not before since.", ko: "종료일(시작일 이후)."},
	}},
	Investments: {kind: Investments, table: "investments", version: true, columns: []column{
		{name: "fund", typ: tKey, required: true, ref: refFund, sql: "fund_id", sqlType: "bigint", match: true, example: "creative-growth-venture-fund",
			en: "Key of the fund.", ko: "펀드 키."},
		{name: "startup", typ: tKey, required: true, ref: refStartup, sql: "startup_id", sqlType: "bigint", match: true, example: "svc-aqua-sense",
			en: "Key of the startup.", ko: "스타트업 키."},
		{name: "investedOn", typ: tDate, required: true, sql: "invested_on", sqlType: "date", match: true, example: "2024-06-30",
			en: "Date; not before the startup's founding date unless preFounding. With fund, startup and round it names the investment.",
			ko: "투자일. preFounding이 아니면 설립일 이전일 수 없습니다. fund, startup, round와 함께 투자를 식별합니다."},
		{name: "round", typ: tEnum, enum: "InvestmentRound", required: true, sql: "round", sqlType: "text", match: true, example: "SEED",
			en: "GRANT, SEED, PRE_SERIES_A, SERIES_A, SERIES_B, BRIDGE or LOAN.", ko: "투자 라운드."},
		{name: "amount", typ: tKRW, required: true, sql: "amount_krw", sqlType: "bigint", example: "150000000",
			en: "Amount in whole KRW, 0 to 1,000,000,000,000,000.", ko: "금액(원 단위 정수, 0 ~ 1,000조 원)."},
		{name: "preFounding", typ: tBool, def: "false", sql: "pre_founding", sqlType: "boolean", example: "false",
			en: "true for an investment made before the startup was founded.", ko: "설립 전 투자면 true."},
	}},
	MarketTargets: {kind: MarketTargets, table: "market_targets", columns: []column{
		{name: "startup", typ: tKey, required: true, ref: refStartup, sql: "startup_id", sqlType: "bigint", match: true, example: "svc-aqua-sense",
			en: "Key of the startup.", ko: "스타트업 키."},
		{name: "market", typ: tText, lo: 2, hi: 16, required: true, ref: refMarket, sql: "market_id", sqlType: "bigint", match: true, example: "VN",
			en: "Code of the market (ISO 3166-1 alpha-2 such as VN, or a region code); a startup targets a market once.",
			ko: "시장 코드(VN 같은 ISO 국가 코드 또는 지역 코드). 한 스타트업은 한 시장을 한 번 목표로 합니다."},
		{name: "status", typ: tEnum, enum: "MarketTargetStatus", required: true, sql: "status", sqlType: "text", example: "EXPLORING",
			en: "EXPLORING, LOCALIZING or ENTERED.", ko: "EXPLORING, LOCALIZING, ENTERED."},
		{name: "priority", typ: tInt, lo: 1, hi: 5, def: "3", sql: "priority", sqlType: "integer", example: "2",
			en: "1 (highest) to 5 (3 when empty).", ko: "1(가장 높음) ~ 5(비우면 3)."},
		{name: "since", typ: tDate, required: true, sql: "since", sqlType: "date", example: "2024-05-01", en: "Since when.", ko: "시작일."},
		{name: "supportProgram", typ: tKey, ref: refProgram, sql: "program_id", sqlType: "bigint", example: "",
			en: "Key of the program that supports the entry.", ko: "진출을 지원하는 프로그램 키."},
	}},
	CohortMemberships: {kind: CohortMemberships, table: "memberships", columns: []column{
		{name: "startup", typ: tKey, required: true, ref: refStartup, sql: "startup_id", sqlType: "bigint", match: true, example: "svc-aqua-sense",
			en: "Key of the startup.", ko: "스타트업 키."},
		{name: "cohort", typ: tKey, required: true, ref: refCohort, sql: "cohort_id", sqlType: "bigint", match: true, example: "smart-venture-campus-2017",
			en: "Key of the cohort; a startup is in a cohort once.", ko: "기수 키. 한 스타트업은 한 기수에 한 번."},
		{name: "joinedOn", typ: tDate, required: true, sql: "joined_on", sqlType: "date", example: "2024-03-01", en: "Date joined.", ko: "참여일."},
	}},
	Outcomes: {kind: Outcomes, table: "outcomes", version: true, columns: []column{
		{name: "startup", typ: tKey, required: true, ref: refStartup, sql: "startup_id", sqlType: "bigint", match: true, example: "svc-aqua-sense",
			en: "Key of the startup.", ko: "스타트업 키."},
		{name: "kind", typ: tEnum, enum: "OutcomeKind", required: true, sql: "kind", sqlType: "text", match: true, example: "EXPORT_CONTRACT",
			en: "PATENT_DOMESTIC, PATENT_FOREIGN, INVESTMENT_ATTRACTED, EXPORT_CONTRACT or JOBS_CREATED.", ko: "성과 종류."},
		{name: "reportedOn", typ: tDate, required: true, sql: "reported_on", sqlType: "date", match: true, example: "2024-12-31",
			en: "Date reported; with startup, kind and market it names the outcome.", ko: "보고일. startup, kind, market과 함께 성과를 식별합니다."},
		{name: "market", typ: tText, lo: 2, hi: 16, ref: refMarket, sql: "market_id", sqlType: "bigint", match: true, example: "VN",
			en: "Market code; required for EXPORT_CONTRACT.", ko: "시장 코드. EXPORT_CONTRACT에는 필수."},
		{name: "quantity", typ: tInt, lo: 0, hi: 1<<31 - 1, def: "1", sql: "quantity", sqlType: "integer", example: "1",
			en: "How many (patents, jobs); 1 when empty.", ko: "수량(특허, 일자리). 비우면 1."},
		{name: "amount", typ: tKRW, sql: "amount_krw", sqlType: "bigint", example: "300000000",
			en: "Amount in whole KRW (investment attracted, export contract).", ko: "금액(원 단위 정수)."},
		{name: "note", typ: tText, hi: 500, sql: "note", sqlType: "text", example: "", en: "A note.", ko: "메모."},
	}},
}

// enumValues is the values an enum column takes.
func enumValues(c column) []string { return model.EnumOrder[c.enum] }

// normalize is a header or a sheet name as it is matched: lower case,
// without spaces, hyphens, underscores and dots. A header /export wrote
// for a nested field reads as the field (node.key is key, fund.key is
// fund, sectors.nodes.key is sectors), so an export's columns import.
func normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "node.")
	for _, suffix := range []string{".nodes.key", ".nodes.code", ".key", ".code"} {
		if strings.HasSuffix(s, suffix) && len(s) > len(suffix) {
			s = strings.TrimSuffix(s, suffix)
			break
		}
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.', '\t':
			return -1
		}
		return r
	}, s)
}

// kindOf is the kind a sheet or file name names ("market targets",
// "market-targets.csv", "MarketTargets").
func kindOf(name string) (Kind, bool) {
	n := normalize(name)
	for _, k := range Kinds {
		if normalize(string(k)) == n {
			return k, true
		}
	}
	return "", false
}
