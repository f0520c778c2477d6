package synthetic

import (
	"time"
)

// Value lists. Weights are percentages.
var (
	stages       = [...]string{"IDEA", "FOUNDING", "PROTOTYPE", "R_AND_D", "MARKETING", "INVESTMENT", "FINANCING", "OVERSEAS_EXPANSION"}
	stageWeights = []int{10, 15, 18, 15, 13, 12, 9, 8}
	// the most investments, market targets and outcomes a startup has at each stage
	maxInvestments = [...]int{1, 2, 2, 3, 3, 3, 3, 3}
	maxTargets     = [...]int{1, 1, 2, 2, 2, 3, 3, 3}
	maxOutcomes    = [...]int{1, 2, 3, 4, 4, 4, 4, 4}

	purposes       = [...]string{"JOINT_PROJECT", "OVERSEAS_STRATEGY", "INTERNSHIP"}
	statuses       = [...]string{"ACTIVE", "COMPLETED", "ENDED"}
	statusWeights  = []int{50, 35, 15}
	ventureRounds  = [...]string{"SEED", "PRE_SERIES_A", "SERIES_A", "SERIES_B"}
	outcomeKinds   = [...]string{"PATENT_DOMESTIC", "PATENT_FOREIGN", "INVESTMENT_ATTRACTED", "EXPORT_CONTRACT", "JOBS_CREATED"}
	outcomeWeights = []int{30, 10, 20, 15, 25}
	targetStatuses = [...]string{"EXPLORING", "LOCALIZING", "ENTERED"}
	languageSets   = [...]string{"{ko,en}", "{ko}", "{ko,en,zh}", "{ko,en,ja}"}
	langWeights    = []int{70, 20, 5, 5}
	foreignLangs   = [...]string{"{en}", "{en,ko}"}

	focusAreas = [...]string{
		"Market-entry strategy", "Prototype design", "R&D planning", "Fund raising", "Product localization",
		"Design Thinking", "Lean Startup", "Patents and IP", "Export contracts", "Smart-factory adoption",
		"ICT convergence", "Overseas marketing",
	}
)

// amountRange is the KRW range of an investment of each round.
var amountRange = map[string][2]int64{
	"GRANT": {10_000_000, 300_000_000}, "SEED": {10_000_000, 500_000_000},
	"PRE_SERIES_A": {300_000_000, 1_500_000_000}, "SERIES_A": {1_000_000_000, 3_000_000_000},
	"SERIES_B": {2_000_000_000, 5_000_000_000}, "BRIDGE": {100_000_000, 1_000_000_000},
	"LOAN": {50_000_000, 1_000_000_000},
}

// Bilingual name parts: Korean with its romanization.
type pair struct{ ko, en string }

var (
	syllables = [...]pair{
		{"한", "han"}, {"빛", "bit"}, {"누", "nu"}, {"리", "ri"}, {"솔", "sol"}, {"온", "on"}, {"다", "da"},
		{"새", "sae"}, {"별", "byeol"}, {"봄", "bom"}, {"결", "gyeol"}, {"라", "ra"}, {"미", "mi"}, {"르", "reu"},
		{"가", "ga"}, {"람", "ram"}, {"해", "hae"}, {"든", "deun"}, {"아", "a"}, {"름", "reum"}, {"도", "do"},
		{"담", "dam"}, {"바", "ba"}, {"로", "ro"}, {"이", "i"}, {"음", "eum"}, {"나", "na"}, {"래", "rae"},
		{"진", "jin"}, {"우", "u"}, {"서", "seo"}, {"연", "yeon"},
	}
	suffixes = [...]pair{
		{"테크", "Tech"}, {"랩스", "Labs"}, {"로보틱스", "Robotics"}, {"바이오", "Bio"}, {"모빌리티", "Mobility"},
		{"팩토리", "Factory"}, {"솔루션즈", "Solutions"}, {"에너지", "Energy"}, {"헬스케어", "Healthcare"},
		{"시스템즈", "Systems"}, {"다이나믹스", "Dynamics"}, {"웍스", "Works"}, {"메디컬", "Medical"}, {"오토", "Auto"},
	}
	surnames = [...]pair{
		{"김", "Kim"}, {"이", "Lee"}, {"박", "Park"}, {"최", "Choi"}, {"정", "Jung"}, {"강", "Kang"}, {"조", "Cho"},
		{"윤", "Yoon"}, {"장", "Jang"}, {"임", "Lim"}, {"한", "Han"}, {"오", "Oh"}, {"서", "Seo"}, {"신", "Shin"}, {"권", "Kwon"},
	}
	givenNames = [...]pair{
		{"민준", "Minjun"}, {"서연", "Seoyeon"}, {"지훈", "Jihoon"}, {"하은", "Haeun"}, {"도윤", "Doyun"}, {"수아", "Sua"},
		{"현우", "Hyunwoo"}, {"지민", "Jimin"}, {"예준", "Yejun"}, {"서윤", "Seoyun"}, {"준호", "Junho"}, {"유진", "Yujin"},
		{"성민", "Sungmin"}, {"은지", "Eunji"}, {"재원", "Jaewon"}, {"혜진", "Hyejin"},
	}
	foreignFirst = [...]pair{
		{"데이비드", "David"}, {"사라", "Sarah"}, {"마이클", "Michael"}, {"에밀리", "Emily"}, {"토마스", "Thomas"},
		{"안나", "Anna"}, {"피터", "Pieter"}, {"리사", "Lisa"},
	}
	foreignLast = [...]pair{
		{"밀러", "Miller"}, {"얀선", "Janssen"}, {"존슨", "Johnson"}, {"피터스", "Peeters"}, {"브라운", "Brown"}, {"클라크", "Clark"},
	}
	titles = [...]pair{
		{"교수", "Professor"}, {"대표이사", "CEO"}, {"수석연구원", "Principal researcher"}, {"변리사", "Patent attorney"},
		{"투자심사역", "Investment manager"}, {"해외마케팅 전문가", "Overseas marketing expert"},
		{"디자인 컨설턴트", "Design consultant"}, {"생산기술 전문가", "Manufacturing engineer"},
	}
)

// Dates are day numbers from epoch. Startups are founded 2010-2024, and
// nothing happens after horizon, a fixed date so the graph never
// depends on the clock.
var (
	epoch       = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	lastFounded = dayOf(2024, 12, 31)
	horizon     = dayOf(2025, 12, 31)
)

func dayOf(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(epoch).Hours() / 24)
}

func dateOf(day int) string { return epoch.AddDate(0, 0, day).Format(time.DateOnly) }

func yearOf(day int) int { return epoch.AddDate(0, 0, day).Year() }

// Streams: each kind of entity has its own, so that one kind's draws never
// shift another's.
const (
	streamStartup uint64 = iota + 1
	streamStartupName
	streamMentor
	streamCohort
	streamFund
)
