-- Demo data: the real entities of the source article (../shared/DOMAIN.md).
-- Every statement upserts on the natural key, so running the seed again
-- changes nothing and keeps every id stable. The article does not state the
-- year; the Smart Venture Campus cohort it describes is the 2017 one, so
-- dates below use 2017.

-- Organizations --------------------------------------------------------------
INSERT INTO organizations (key, name_ko, name_en, kind, mou_partner, description_ko, description_en, provenance) VALUES
 ('incheon-metropolitan-city', '인천광역시', 'Incheon Metropolitan City', 'CITY_GOVERNMENT', false,
  '글로벌 스타트업 캠퍼스를 조성하고 글로벌 선도기업 육성을 추진하는 지방자치단체.',
  'The city government that builds the Global Startup Campus to grow globally competitive companies.', 'ARTICLE'),
 ('smba', '중소기업청', 'Small and Medium Business Administration (SMBA)', 'GOVERNMENT_AGENCY', true,
  '스마트벤처캠퍼스 사업을 지원하는 중앙정부 기관. MOU 체결 기관.',
  'National agency for small businesses; supports the Smart Venture Campus program; an MOU partner.', 'ARTICLE'),
 ('incheon-technopark', '인천경제산업정보테크노파크', 'Incheon Technopark', 'PUBLIC_AGENCY', true,
  '스마트벤처캠퍼스 인천·경기지역 주관기관. MOU 체결 기관.',
  'Host organization of Smart Venture Campus for the Incheon-Gyeonggi region; an MOU partner.', 'ARTICLE'),
 ('incheon-global-campus-foundation', '인천글로벌캠퍼스 운영재단', 'Incheon Global Campus Foundation', 'FOUNDATION', true,
  '인천글로벌캠퍼스를 운영하는 재단. MOU 체결 기관.',
  'The foundation that runs Incheon Global Campus; an MOU partner.', 'ARTICLE'),
 ('incheon-sw-convergence-cluster-center', '인천 SW융합클러스터센터', 'Incheon SW Convergence Cluster Center', 'SUPPORT_CENTER', false,
  '인천경제산업정보테크노파크 내 센터. 하드웨어 스타트업 제품에 ICT를 융합하고 창조성장벤처펀드를 조성·운용한다.',
  'Center inside Incheon Technopark that fuses ICT into hardware startups'' products and runs the Creative Growth Venture Fund.', 'ARTICLE'),
 ('startup-campus-business-team', '스타트업캠퍼스사업팀', 'Startup Campus Business Team', 'TEAM', false,
  '글로벌 스타트업 캠퍼스를 전담하는 인천 SW융합클러스터센터 내 사업팀.',
  'The team inside the SW Convergence Cluster Center that runs the Global Startup Campus.', 'ARTICLE'),
 ('fourth-industrial-revolution-task-force', '4차 산업혁명 대응 추진단', '4th Industrial Revolution Response Task Force', 'TASK_FORCE', false,
  '첨단자동차, 바이오융합, 로봇, 스마트팩토리 4개 분야 전문가 26명의 워킹그룹.',
  'Working groups of 26 experts in four fields: advanced automotive, bio-convergence, robotics and smart factory.', 'ARTICLE')
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind, mou_partner = EXCLUDED.mou_partner,
  description_ko = EXCLUDED.description_ko, description_en = EXCLUDED.description_en, provenance = EXCLUDED.provenance;

UPDATE organizations c SET parent_id = p.id
FROM (VALUES ('incheon-sw-convergence-cluster-center', 'incheon-technopark'),
             ('startup-campus-business-team', 'incheon-sw-convergence-cluster-center'),
             ('fourth-industrial-revolution-task-force', 'incheon-metropolitan-city')) AS v(child, parent)
JOIN organizations p ON p.key = v.parent
WHERE c.key = v.child AND c.parent_id IS DISTINCT FROM p.id;

-- Partner universities of Incheon Global Campus --------------------------------
INSERT INTO universities (key, name_ko, name_en, short_name, home_country, mou_partner, description_ko, description_en, provenance) VALUES
 ('suny-korea', '한국뉴욕주립대', 'SUNY Korea', 'SUNY Korea', 'US', true,
  '인천글로벌캠퍼스의 글로벌 대학. 학생·교수·네트워크로 공동 프로젝트와 해외진출 전략 수립을 지원한다.',
  'Global university of Incheon Global Campus; lends students, faculty and networks to joint projects and overseas strategy.', 'ARTICLE'),
 ('university-of-utah', '유타대', 'University of Utah', 'Utah', 'US', true,
  '인천글로벌캠퍼스의 글로벌 대학. 학생·교수·네트워크로 공동 프로젝트와 해외진출 전략 수립을 지원한다.',
  'Global university of Incheon Global Campus; lends students, faculty and networks to joint projects and overseas strategy.', 'ARTICLE'),
 ('ghent-university', '겐트대', 'Ghent University', 'Ghent', 'BE', true,
  '인천글로벌캠퍼스의 글로벌 대학. 학생·교수·네트워크로 공동 프로젝트와 해외진출 전략 수립을 지원한다.',
  'Global university of Incheon Global Campus; lends students, faculty and networks to joint projects and overseas strategy.', 'ARTICLE'),
 ('george-mason-university', '조지메이슨대', 'George Mason University', 'GMU', 'US', true,
  '인천글로벌캠퍼스의 글로벌 대학. 학생·교수·네트워크로 공동 프로젝트와 해외진출 전략 수립을 지원한다.',
  'Global university of Incheon Global Campus; lends students, faculty and networks to joint projects and overseas strategy.', 'ARTICLE')
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, short_name = EXCLUDED.short_name,
  home_country = EXCLUDED.home_country, mou_partner = EXCLUDED.mou_partner,
  description_ko = EXCLUDED.description_ko, description_en = EXCLUDED.description_en, provenance = EXCLUDED.provenance;

-- Sectors: the four fields of the task force's working groups ------------------
INSERT INTO sectors (key, name_ko, name_en, task_force_field, description_ko, description_en, provenance) VALUES
 ('advanced-automotive', '첨단자동차', 'Advanced automotive', true, '4차 산업혁명 대응 추진단 워킹그룹 분야.', 'A working-group field of the 4th Industrial Revolution Response Task Force.', 'ARTICLE'),
 ('bio-convergence', '바이오융합', 'Bio-convergence', true, '4차 산업혁명 대응 추진단 워킹그룹 분야.', 'A working-group field of the 4th Industrial Revolution Response Task Force.', 'ARTICLE'),
 ('robotics', '로봇', 'Robotics', true, '4차 산업혁명 대응 추진단 워킹그룹 분야.', 'A working-group field of the 4th Industrial Revolution Response Task Force.', 'ARTICLE'),
 ('smart-factory', '스마트팩토리', 'Smart factory', true, '4차 산업혁명 대응 추진단 워킹그룹 분야.', 'A working-group field of the 4th Industrial Revolution Response Task Force.', 'ARTICLE')
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, task_force_field = EXCLUDED.task_force_field,
  description_ko = EXCLUDED.description_ko, description_en = EXCLUDED.description_en, provenance = EXCLUDED.provenance;

-- Programs ---------------------------------------------------------------------
INSERT INTO programs (key, name_ko, name_en, kind, description_ko, description_en, provenance) VALUES
 ('smart-venture-campus', '스마트벤처캠퍼스', 'Smart Venture Campus', 'NATIONAL_PROGRAM',
  '중소기업청의 대표 기업지원 사업. 수요 기반형 교육·멘토링, 시장반응조사 지원으로 청년 창업가를 육성한다.',
  'SMBA''s flagship program: demand-driven education and mentoring and market-response research for young founders.', 'ARTICLE'),
 ('full-cycle-support', '전주기 지원 프로그램', 'Full-cycle support program', 'CAMPUS_PROGRAM',
  '아이디어 개발부터 창업, 시제품 제작, R&D, 마케팅, 투자·펀딩, 자금지원, 해외진출까지 지원한다.',
  'Support from idea development through founding, prototype, R&D, marketing, investment, financing and overseas expansion.', 'ARTICLE'),
 ('product-localization-support', '기업 제품 현지화 지원사업', 'Product localization support', 'GLOBAL_EXPANSION',
  '해외 시장에 맞춘 제품 현지화를 지원한다.', 'Helps companies localize their products for overseas markets.', 'ARTICLE'),
 ('overseas-expert-linkage', '해외전문인력 연계 지원사업', 'Overseas expert-linkage support', 'GLOBAL_EXPANSION',
  '해외 전문인력과 기업을 연계한다.', 'Links companies with overseas experts.', 'ARTICLE'),
 ('global-star-venture', '글로벌 스타 벤처 프로그램', 'Global Star Venture program', 'GLOBAL_EXPANSION',
  '글로벌 진출 역량을 갖춘 벤처를 육성한다.', 'Grows ventures ready for global markets.', 'ARTICLE'),
 ('global-university-internship', '글로벌 대학 연계 인턴십 사업', 'Global university internships', 'GLOBAL_EXPANSION',
  '글로벌 대학과 연계한 인턴십.', 'Internships with the global universities.', 'ARTICLE'),
 ('home-campus-program-visits', '글로벌 대학 본교 우수 프로그램 참가 지원', 'Home-campus program participation', 'GLOBAL_EXPANSION',
  '글로벌 대학 본교의 우수 프로그램 참가를 지원한다.', 'Supports visits to programs at the universities'' home campuses.', 'ARTICLE'),
 ('global-expansion-frame', '글로벌 진출 프레임', 'Global Expansion Frame', 'FRAMEWORK',
  '시장 진출 전략, 단계별 성장 케어 시스템, 펀드 조성 및 자금지원. 4개 글로벌 대학 인재가 핵심 자원이다.',
  'Market-entry strategy, a care system that follows each growth stage, fund raising and financing, with the universities'' people as core resources.', 'ARTICLE'),
 ('design-thinking-lean-startup', '디자인 씽킹·린 스타트업 제작소', 'Design Thinking and Lean Startup workshop', 'WORKSHOP',
  '글로벌 진출 프레임의 일부인 디자인 씽킹과 린 스타트업 제작소.', 'Design Thinking and a Lean Startup workshop, part of the Global Expansion Frame.', 'ARTICLE')
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind,
  description_ko = EXCLUDED.description_ko, description_en = EXCLUDED.description_en, provenance = EXCLUDED.provenance;

INSERT INTO program_organizations (program_id, organization_id, role)
SELECT p.id, o.id, v.role
FROM (VALUES ('smart-venture-campus', 'smba', 'SPONSOR'),
             ('smart-venture-campus', 'incheon-technopark', 'HOST'),
             ('full-cycle-support', 'incheon-metropolitan-city', 'SPONSOR'),
             ('full-cycle-support', 'startup-campus-business-team', 'OPERATOR'),
             ('product-localization-support', 'incheon-metropolitan-city', 'SPONSOR'),
             ('overseas-expert-linkage', 'incheon-metropolitan-city', 'SPONSOR'),
             ('global-star-venture', 'incheon-metropolitan-city', 'SPONSOR'),
             ('global-university-internship', 'incheon-metropolitan-city', 'SPONSOR'),
             ('home-campus-program-visits', 'incheon-metropolitan-city', 'SPONSOR'),
             ('global-expansion-frame', 'incheon-metropolitan-city', 'SPONSOR'),
             ('global-expansion-frame', 'startup-campus-business-team', 'OPERATOR'),
             ('design-thinking-lean-startup', 'startup-campus-business-team', 'OPERATOR')) AS v(program, org, role)
JOIN programs p ON p.key = v.program
JOIN organizations o ON o.key = v.org
ON CONFLICT DO NOTHING;

-- Funds --------------------------------------------------------------------------
INSERT INTO funds (key, name_ko, name_en, kind, size_krw, manager_id, sponsor_id, program_id, vintage_year, description_ko, description_en, provenance)
SELECT v.key, v.name_ko, v.name_en, v.kind, v.size_krw, m.id, s.id, p.id, v.vintage_year, v.description_ko, v.description_en, 'ARTICLE'
FROM (VALUES
  ('creative-growth-venture-fund', '창조성장벤처펀드', 'Creative Growth Venture Fund', 'VENTURE_FUND', 36500000000::bigint,
   'incheon-sw-convergence-cluster-center', NULL, NULL, NULL::integer,
   '성장가능성과 경쟁력을 갖춘 초기 중소·벤처기업에 투자하는 365억원 규모의 펀드.',
   'A 36.5 billion KRW fund that invests in early SMEs and ventures with growth potential.'),
  ('smart-venture-campus-national-grant', '스마트벤처캠퍼스 국비 지원', 'Smart Venture Campus national grant', 'GOVERNMENT_GRANT', 1950000000::bigint,
   'incheon-technopark', 'smba', 'smart-venture-campus', 2017,
   '스마트벤처캠퍼스 25개 팀 지원을 위한 국비 19억5000만원.',
   '1.95 billion KRW of national funds for the 25 Smart Venture Campus teams.')
) AS v(key, name_ko, name_en, kind, size_krw, manager, sponsor, program, vintage_year, description_ko, description_en)
LEFT JOIN organizations m ON m.key = v.manager
LEFT JOIN organizations s ON s.key = v.sponsor
LEFT JOIN programs p ON p.key = v.program
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind, size_krw = EXCLUDED.size_krw,
  manager_id = EXCLUDED.manager_id, sponsor_id = EXCLUDED.sponsor_id, program_id = EXCLUDED.program_id,
  vintage_year = EXCLUDED.vintage_year, description_ko = EXCLUDED.description_ko,
  description_en = EXCLUDED.description_en, provenance = EXCLUDED.provenance;

-- Facilities: the Global Startup Campus (4,349 m2) and its spaces ----------------
INSERT INTO facilities (key, name_ko, name_en, kind, operator_id, area_m2, opens_in, location_ko, location_en, provenance)
SELECT 'global-startup-campus', '글로벌 스타트업 캠퍼스', 'Global Startup Campus', 'CAMPUS', o.id, 4349, '2017-07',
       '인천 글로벌 캠퍼스 복합문화시설', 'Cultural complex of Incheon Global Campus', 'ARTICLE'
FROM organizations o WHERE o.key = 'startup-campus-business-team'
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind, operator_id = EXCLUDED.operator_id,
  area_m2 = EXCLUDED.area_m2, opens_in = EXCLUDED.opens_in, location_ko = EXCLUDED.location_ko,
  location_en = EXCLUDED.location_en, provenance = EXCLUDED.provenance;

INSERT INTO facilities (key, name_ko, name_en, kind, parent_id, operator_id, provenance)
SELECT v.key, v.name_ko, v.name_en, v.kind, c.id, c.operator_id, 'ARTICLE'
FROM (VALUES ('resident-offices', '입주공간', 'Resident offices', 'RESIDENT_OFFICE'),
             ('prototype-workshop', '시제품 제작소', 'Prototype workshop', 'PROTOTYPE_WORKSHOP'),
             ('idea-meeting-rooms', '아이디어 회의실', 'Idea meeting rooms', 'MEETING_ROOM'),
             ('design-lab', '디자인랩', 'Design lab', 'DESIGN_LAB'),
             ('workstations', '워크스테이션', 'Workstations', 'WORKSTATION'),
             ('lounge', '휴게공간', 'Lounge', 'LOUNGE')) AS v(key, name_ko, name_en, kind)
CROSS JOIN facilities c
WHERE c.key = 'global-startup-campus'
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id,
  operator_id = EXCLUDED.operator_id, provenance = EXCLUDED.provenance;
