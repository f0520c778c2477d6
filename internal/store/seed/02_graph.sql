-- Demo data: the startup graph around the article's entities (01_reference.sql).
--
-- What the article states is kept exact and marked ARTICLE: the Smart Venture
-- Campus cohort of 25 teams and its 1.95 billion KRW national grant (fund and
-- total in 01_reference.sql), the 26 task-force experts in four fields. Every
-- team, mentor, market, assignment, mentorship, investment and outcome below
-- is invented for the demo and marked DEMO.
--
-- Idempotent like 01_reference.sql: node tables upsert on key; edge tables
-- with a UNIQUE constraint upsert on it; edge tables without one (stage
-- changes, mentorships, investments, outcomes) insert a row only if no row
-- with the same identifying columns exists. Running the seed twice creates
-- no duplicates and keeps every id stable.
--
-- Handy facts for tests and demos (all checked against a real database):
--   * 25 teams in cohort smart-venture-campus-2017; each gets a GRANT from
--     smart-venture-campus-national-grant, 10 x 90,000,000 + 15 x 70,000,000
--     = 1,950,000,000 KRW.
--   * 26 task-force mentors, one sector each: advanced-automotive 7,
--     bio-convergence 6, robotics 7, smart-factory 6; plus 6 other mentors.
--   * SUNY Korea's and Ghent University's assigned teams are disjoint (no team
--     is shared). Teams assigned to two universities: svc-v2x-link (SUNY Korea
--     OVERSEAS_STRATEGY, George Mason JOINT_PROJECT) and svc-cellfarm (Ghent
--     JOINT_PROJECT, Utah INTERNSHIP). svc-lidarbit has two assignments with
--     George Mason (OVERSEAS_STRATEGY and INTERNSHIP).
--   * The six pairs of startups that share two mentors (no pair shares more):
--     svc-factorylens & svc-moldsense (mentor-bae-junseo, mentor-tran-van-minh),
--     svc-lidarbit & svc-v2x-link (mentor-kim-minjun, mentor-choi-yuna),
--     svc-drivetalk & svc-v2x-link (mentor-choi-yuna, mentor-jung-hyunwoo),
--     svc-edgeplc & svc-smart-pallet (mentor-hwang-eunji, mentor-tran-van-minh),
--     svc-evcell-care & svc-hydromobility (mentor-lee-seoyeon, mentor-wang-lei),
--     svc-biosensa & svc-medi-print (mentor-han-jiwoo, mentor-lim-soyeon).
--   * Smart-factory teams targeting Vietnam that have investors (6):
--     svc-factorylens, svc-moldsense, svc-cobot-works, svc-smart-pallet
--     (Creative Growth Venture Fund; all but svc-smart-pallet also have the
--     grant), plus svc-edgeplc and svc-drone-inspect (national grant only).

-- Markets: countries (ISO 3166-1 alpha-2) and regions ---------------------------
-- The CHECK on markets makes a 2-letter code a COUNTRY, so the European Union
-- region is 'EUR' (not 'EU') and Southeast Asia is 'SEA'.
INSERT INTO markets (key, code, kind, name_ko, name_en, provenance) VALUES
 ('us', 'US', 'COUNTRY', '미국', 'United States', 'DEMO'),
 ('cn', 'CN', 'COUNTRY', '중국', 'China', 'DEMO'),
 ('vn', 'VN', 'COUNTRY', '베트남', 'Vietnam', 'DEMO'),
 ('jp', 'JP', 'COUNTRY', '일본', 'Japan', 'DEMO'),
 ('sg', 'SG', 'COUNTRY', '싱가포르', 'Singapore', 'DEMO'),
 ('be', 'BE', 'COUNTRY', '벨기에', 'Belgium', 'DEMO'),
 ('de', 'DE', 'COUNTRY', '독일', 'Germany', 'DEMO'),
 ('nl', 'NL', 'COUNTRY', '네덜란드', 'Netherlands', 'DEMO'),
 ('eu', 'EUR', 'REGION', '유럽연합', 'European Union', 'DEMO'),
 ('southeast-asia', 'SEA', 'REGION', '동남아시아', 'Southeast Asia', 'DEMO')
ON CONFLICT (key) DO UPDATE SET
  code = EXCLUDED.code, kind = EXCLUDED.kind, name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en,
  provenance = EXCLUDED.provenance;

-- Cohorts ----------------------------------------------------------------------------
-- The article states the 25-team Smart Venture Campus cohort; the other two
-- cohorts are invented.
INSERT INTO cohorts (key, program_id, name_ko, name_en, year, team_quota, provenance)
SELECT v.key, p.id, v.name_ko, v.name_en, v.year, v.team_quota, v.provenance
FROM (VALUES
  ('smart-venture-campus-2017', 'smart-venture-campus', '스마트벤처캠퍼스 2017', 'Smart Venture Campus 2017', 2017, 25, 'ARTICLE'),
  ('global-star-venture-2017', 'global-star-venture', '글로벌 스타 벤처 2017', 'Global Star Venture 2017', 2017, 8, 'DEMO'),
  ('design-thinking-lean-startup-2017', 'design-thinking-lean-startup', '디자인 씽킹·린 스타트업 제작소 2017',
   'Design Thinking and Lean Startup workshop 2017', 2017, NULL, 'DEMO')
) AS v(key, program, name_ko, name_en, year, team_quota, provenance)
JOIN programs p ON p.key = v.program
ON CONFLICT (key) DO UPDATE SET
  program_id = EXCLUDED.program_id, name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, year = EXCLUDED.year,
  team_quota = EXCLUDED.team_quota, provenance = EXCLUDED.provenance;

-- Startups -----------------------------------------------------------------------------
-- 25 Smart Venture Campus 2017 teams (7 smart factory, 6 advanced automotive,
-- 6 bio-convergence, 6 robotics by main sector), some of them resident on the
-- campus, then 8 more resident teams that are not in that cohort.
INSERT INTO startups (key, name_ko, name_en, description_ko, description_en, stage, founded_on, facility_id, provenance)
SELECT v.key, v.name_ko, v.name_en, v.description_ko, v.description_en, v.stage, v.founded_on::date, f.id, 'DEMO'
FROM (VALUES
  -- Smart Venture Campus 2017: smart factory
  ('svc-factorylens', '팩토리렌즈', 'FactoryLens',
   '생산라인 불량을 실시간으로 찾아내는 머신비전 검사 장비.', 'Machine-vision inspection that finds defects on production lines in real time.',
   'OVERSEAS_EXPANSION', '2014-09-15', 'resident-offices'),
  ('svc-moldsense', '몰드센스', 'MoldSense',
   '사출 금형에 부착하는 IoT 센서로 금형 수명과 품질을 관리한다.', 'IoT sensors for injection molds that track mold life and part quality.',
   'INVESTMENT', '2015-03-02', 'resident-offices'),
  ('svc-cobot-works', '코봇웍스', 'CobotWorks',
   '중소 제조기업을 위한 협동로봇 작업 셀.', 'Collaborative-robot work cells for small manufacturers.',
   'INVESTMENT', '2015-06-22', NULL),
  ('svc-edgeplc', '엣지피엘씨', 'EdgePLC',
   '노후 PLC 설비를 클라우드에 연결하는 엣지 컨트롤러.', 'Edge controllers that connect legacy PLC equipment to the cloud.',
   'MARKETING', '2016-01-11', 'resident-offices'),
  ('svc-twinline', '트윈라인', 'TwinLine',
   '조립 라인의 디지털 트윈 시뮬레이션 소프트웨어.', 'Digital-twin simulation software for assembly lines.',
   'R_AND_D', '2016-04-04', NULL),
  ('svc-energylog', '에너지로그', 'EnergyLog',
   '공장 설비별 에너지 사용량 모니터링과 절감 분석.', 'Per-machine energy monitoring and savings analytics for factories.',
   'PROTOTYPE', '2017-01-16', 'resident-offices'),
  ('svc-weldmind', '웰드마인드', 'WeldMind',
   '자동차 부품 용접 품질을 AI로 예측하는 모니터링 시스템.', 'AI monitoring that predicts weld quality for automotive parts.',
   'R_AND_D', '2016-07-18', NULL),
  -- Smart Venture Campus 2017: advanced automotive
  ('svc-lidarbit', '라이다비트', 'LidarBit',
   '자율주행차를 위한 저가형 고체 라이다 센서.', 'Low-cost solid-state lidar for autonomous vehicles.',
   'INVESTMENT', '2015-02-09', 'resident-offices'),
  ('svc-evcell-care', '이브이셀케어', 'EVCell Care',
   '전기차 배터리 상태 진단과 재사용 평가 솔루션.', 'State-of-health diagnostics and second-life grading for EV batteries.',
   'FINANCING', '2014-11-03', 'resident-offices'),
  ('svc-drivetalk', '드라이브톡', 'DriveTalk',
   '차량용 음성 비서와 운전자 상태 인식.', 'In-vehicle voice assistant with driver-state recognition.',
   'MARKETING', '2015-08-24', NULL),
  ('svc-v2x-link', '브이투엑스링크', 'V2X Link',
   '차량-사물 간 통신(V2X) 모듈과 보안 스택.', 'Vehicle-to-everything (V2X) communication modules with a security stack.',
   'R_AND_D', '2016-02-29', 'resident-offices'),
  ('svc-parkpilot', '파크파일럿', 'ParkPilot',
   '주차장 자동 발레 주차 보조 시스템.', 'Automated valet-parking assistance for parking garages.',
   'PROTOTYPE', '2016-10-04', NULL),
  ('svc-lightframe', '라이트프레임', 'LightFrame',
   '탄소복합소재 경량 차체 부품.', 'Lightweight carbon-composite body parts.',
   'R_AND_D', '2015-05-18', NULL),
  -- Smart Venture Campus 2017: bio-convergence
  ('svc-genetrace', '진트레이스', 'GeneTrace',
   '현장에서 쓰는 신속 유전자 진단 키트.', 'Rapid point-of-care genetic test kits.',
   'INVESTMENT', '2015-01-19', 'resident-offices'),
  ('svc-biosensa', '바이오센사', 'BioSensa',
   '땀으로 건강 지표를 측정하는 웨어러블 바이오센서 패치.', 'Wearable biosensor patches that read health markers from sweat.',
   'PROTOTYPE', '2016-05-23', NULL),
  ('svc-seacollagen', '씨콜라겐', 'SeaCollagen',
   '서해 수산 부산물에서 추출한 해양 콜라겐 소재.', 'Marine collagen extracted from West Sea fishery by-products.',
   'OVERSEAS_EXPANSION', '2014-06-02', NULL),
  ('svc-cellfarm', '셀팜', 'CellFarm',
   '세포 배양 공정을 자동화하는 로봇 시스템.', 'Robotic systems that automate cell-culture processes.',
   'INVESTMENT', '2015-10-05', 'resident-offices'),
  ('svc-medi-print', '메디프린트', 'MediPrint',
   '환자 맞춤형 3D 프린팅 생체 임플란트.', 'Patient-specific 3D-printed bio-implants.',
   'R_AND_D', '2016-03-14', NULL),
  ('svc-dermascan', '더마스캔', 'DermaScan',
   'AI 피부 분석 기기와 맞춤형 화장품 추천.', 'AI skin-analysis device with personalized cosmetics recommendations.',
   'MARKETING', '2015-09-07', 'resident-offices'),
  -- Smart Venture Campus 2017: robotics
  ('svc-rehabot', '리해봇', 'RehaBot',
   '하지 재활용 웨어러블 외골격 로봇.', 'Wearable exoskeleton for lower-limb rehabilitation.',
   'R_AND_D', '2016-06-13', 'resident-offices'),
  ('svc-servebot', '서브봇', 'ServeBot',
   '음식점과 호텔을 위한 자율주행 서빙 로봇.', 'Autonomous serving robots for restaurants and hotels.',
   'INVESTMENT', '2015-04-13', NULL),
  ('svc-drone-inspect', '드론인스펙트', 'DroneInspect',
   '공장·플랜트 설비 점검용 자율 드론.', 'Autonomous drones that inspect factory and plant equipment.',
   'MARKETING', '2015-11-16', NULL),
  ('svc-gripper-lab', '그리퍼랩', 'GripperLab',
   '다양한 물체를 잡는 소프트 로봇 그리퍼.', 'Soft robotic grippers that handle irregular objects.',
   'PROTOTYPE', '2017-02-20', 'resident-offices'),
  ('svc-edubot', '에듀봇', 'EduBot',
   '초등학생 코딩 교육용 조립 로봇.', 'Build-it-yourself robots for teaching children to code.',
   'FOUNDING', '2017-03-06', NULL),
  ('svc-portbot', '포트봇', 'PortBot',
   '항만 물류를 위한 자율 이송 로봇.', 'Autonomous transfer robots for port logistics.',
   'PROTOTYPE', '2016-08-29', 'resident-offices'),
  -- Other campus residents, not in Smart Venture Campus 2017
  ('svc-hydromobility', '하이드로모빌리티', 'HydroMobility',
   '소형 상용차용 수소연료전지 파워트레인.', 'Hydrogen fuel-cell powertrains for light commercial vehicles.',
   'INVESTMENT', '2015-07-20', 'resident-offices'),
  ('svc-smart-pallet', '스마트팔레트', 'SmartPallet',
   '위치와 적재 상태를 알려 주는 IoT 물류 팔레트.', 'IoT pallets that report their location and load.',
   'FINANCING', '2014-10-13', 'resident-offices'),
  ('svc-neurogrip', '뉴로그립', 'NeuroGrip',
   '근전도 신호로 움직이는 로봇 의수.', 'Robotic prosthetic hand driven by muscle signals.',
   'R_AND_D', '2016-09-12', 'resident-offices'),
  ('svc-biofoundry', '바이오파운드리', 'BioFoundry',
   '미생물 균주 개발 자동화 플랫폼.', 'An automated platform for engineering microbial strains.',
   'MARKETING', '2015-12-07', 'resident-offices'),
  ('svc-autoharness', '오토하네스', 'AutoHarness',
   '자동차 와이어링 하네스 조립 자동화.', 'Automated assembly of automotive wiring harnesses.',
   'PROTOTYPE', '2017-01-09', 'resident-offices'),
  ('svc-cleanroom-ai', '클린룸에이아이', 'CleanroomAI',
   '바이오 의약품 클린룸 환경을 AI로 관리한다.', 'AI that keeps biopharmaceutical cleanrooms within specification.',
   'FOUNDING', '2017-05-08', 'resident-offices'),
  ('svc-guidebot', '가이드봇', 'GuideBot',
   '공항과 전시장을 안내하는 자율주행 안내 로봇.', 'Autonomous guide robots for airports and exhibition halls.',
   'OVERSEAS_EXPANSION', '2014-08-04', 'resident-offices'),
  ('svc-microcar-lab', '마이크로카랩', 'MicroCar Lab',
   '도심 단거리 이동을 위한 초소형 전기차.', 'Micro electric cars for short urban trips.',
   'FOUNDING', '2017-07-10', 'resident-offices')
) AS v(key, name_ko, name_en, description_ko, description_en, stage, founded_on, facility)
LEFT JOIN facilities f ON f.key = v.facility
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, description_ko = EXCLUDED.description_ko,
  description_en = EXCLUDED.description_en, stage = EXCLUDED.stage, founded_on = EXCLUDED.founded_on,
  facility_id = EXCLUDED.facility_id, provenance = EXCLUDED.provenance;

-- Startup sectors: 1-2 per startup, the main sector first ---------------------------
INSERT INTO startup_sectors (startup_id, sector_id)
SELECT s.id, x.id
FROM (VALUES
  ('svc-factorylens', 'smart-factory'),
  ('svc-moldsense', 'smart-factory'),
  ('svc-cobot-works', 'smart-factory'), ('svc-cobot-works', 'robotics'),
  ('svc-edgeplc', 'smart-factory'),
  ('svc-twinline', 'smart-factory'),
  ('svc-energylog', 'smart-factory'),
  ('svc-weldmind', 'smart-factory'), ('svc-weldmind', 'advanced-automotive'),
  ('svc-lidarbit', 'advanced-automotive'),
  ('svc-evcell-care', 'advanced-automotive'),
  ('svc-drivetalk', 'advanced-automotive'),
  ('svc-v2x-link', 'advanced-automotive'),
  ('svc-parkpilot', 'advanced-automotive'), ('svc-parkpilot', 'robotics'),
  ('svc-lightframe', 'advanced-automotive'),
  ('svc-genetrace', 'bio-convergence'),
  ('svc-biosensa', 'bio-convergence'),
  ('svc-seacollagen', 'bio-convergence'),
  ('svc-cellfarm', 'bio-convergence'), ('svc-cellfarm', 'robotics'),
  ('svc-medi-print', 'bio-convergence'),
  ('svc-dermascan', 'bio-convergence'),
  ('svc-rehabot', 'robotics'), ('svc-rehabot', 'bio-convergence'),
  ('svc-servebot', 'robotics'),
  ('svc-drone-inspect', 'robotics'), ('svc-drone-inspect', 'smart-factory'),
  ('svc-gripper-lab', 'robotics'), ('svc-gripper-lab', 'smart-factory'),
  ('svc-edubot', 'robotics'),
  ('svc-portbot', 'robotics'),
  ('svc-hydromobility', 'advanced-automotive'),
  ('svc-smart-pallet', 'smart-factory'),
  ('svc-neurogrip', 'robotics'), ('svc-neurogrip', 'bio-convergence'),
  ('svc-biofoundry', 'bio-convergence'),
  ('svc-autoharness', 'advanced-automotive'), ('svc-autoharness', 'smart-factory'),
  ('svc-cleanroom-ai', 'smart-factory'), ('svc-cleanroom-ai', 'bio-convergence'),
  ('svc-guidebot', 'robotics'),
  ('svc-microcar-lab', 'advanced-automotive')
) AS v(startup, sector)
JOIN startups s ON s.key = v.startup
JOIN sectors x ON x.key = v.sector
ON CONFLICT (startup_id, sector_id) DO NOTHING;

-- Stage history -------------------------------------------------------------------------
-- One date per stage; the LAST date is the startup's current stage
-- (startups.stage) and each earlier date the stage before it, in the
-- article's order. So the history ends at the current stage by construction,
-- and starts at FOUNDING (or IDEA when the list is one longer).
-- A stage change is identified by (startup, stage).
INSERT INTO stage_changes (startup_id, stage, changed_on)
SELECT s.id, st.stage, h.changed_on
FROM (VALUES
  ('svc-factorylens',   '{2014-09-15,2015-04-20,2015-12-01,2016-07-11,2017-08-21,2018-01-15,2018-06-25}'::date[]),
  ('svc-moldsense',     '{2015-03-02,2015-10-19,2016-05-09,2017-02-13,2017-10-16}'),
  ('svc-cobot-works',   '{2015-06-22,2016-02-15,2016-09-05,2017-05-22,2018-01-29}'),
  ('svc-edgeplc',       '{2016-01-11,2016-06-20,2016-12-05,2017-09-18}'),
  ('svc-twinline',      '{2016-04-04,2016-11-14,2017-06-12}'),
  ('svc-energylog',     '{2016-08-01,2017-01-16,2017-07-03}'),                       -- from IDEA
  ('svc-weldmind',      '{2016-07-18,2017-01-23,2017-08-07}'),
  ('svc-lidarbit',      '{2015-02-09,2015-09-14,2016-04-18,2017-03-06,2018-02-12}'),
  ('svc-evcell-care',   '{2014-11-03,2015-06-01,2016-01-18,2016-09-26,2017-06-19,2018-10-01}'),
  ('svc-drivetalk',     '{2015-08-24,2016-03-28,2016-10-10,2017-07-24}'),
  ('svc-v2x-link',      '{2016-02-29,2016-10-17,2017-05-08}'),
  ('svc-parkpilot',     '{2016-10-04,2017-06-26}'),
  ('svc-lightframe',    '{2015-05-18,2016-01-25,2016-11-21}'),
  ('svc-genetrace',     '{2015-01-19,2015-08-10,2016-02-22,2017-01-09,2017-11-20}'),
  ('svc-biosensa',      '{2016-05-23,2017-03-20}'),
  ('svc-seacollagen',   '{2014-06-02,2014-12-15,2015-07-06,2016-02-01,2016-10-24,2017-04-17,2018-03-19}'),
  ('svc-cellfarm',      '{2015-10-05,2016-04-11,2016-11-28,2017-07-10,2018-04-23}'),
  ('svc-medi-print',    '{2016-03-14,2016-12-12,2017-09-04}'),
  ('svc-dermascan',     '{2015-09-07,2016-05-16,2017-01-30,2017-11-06}'),
  ('svc-rehabot',       '{2016-06-13,2017-02-06,2017-10-23}'),
  ('svc-servebot',      '{2015-04-13,2015-11-23,2016-06-27,2017-03-27,2017-09-25}'),
  ('svc-drone-inspect', '{2015-11-16,2016-07-04,2017-01-09,2017-08-28}'),
  ('svc-gripper-lab',   '{2016-09-19,2017-02-20,2017-08-14}'),                       -- from IDEA
  ('svc-edubot',        '{2016-11-07,2017-03-06}'),                                  -- from IDEA
  ('svc-portbot',       '{2016-08-29,2017-05-15}'),
  ('svc-hydromobility', '{2015-07-20,2016-03-07,2016-10-31,2017-06-05,2017-12-11}'),
  ('svc-smart-pallet',  '{2014-10-13,2015-05-11,2015-12-14,2016-08-08,2017-05-29,2018-04-02}'),
  ('svc-neurogrip',     '{2016-09-12,2017-04-10,2017-11-13}'),
  ('svc-biofoundry',    '{2015-12-07,2016-08-22,2017-03-13,2017-10-30}'),
  ('svc-autoharness',   '{2017-01-09,2017-09-11}'),
  ('svc-cleanroom-ai',  '{2017-01-16,2017-05-08}'),                                  -- from IDEA
  ('svc-guidebot',      '{2014-08-04,2015-02-16,2015-09-21,2016-04-25,2016-12-19,2017-07-17,2018-08-20}'),
  ('svc-microcar-lab',  '{2017-03-20,2017-07-10}')                                   -- from IDEA
) AS v(startup, dates)
JOIN startups s ON s.key = v.startup
JOIN (VALUES (1, 'IDEA'), (2, 'FOUNDING'), (3, 'PROTOTYPE'), (4, 'R_AND_D'), (5, 'MARKETING'),
             (6, 'INVESTMENT'), (7, 'FINANCING'), (8, 'OVERSEAS_EXPANSION')) AS cur(ord, stage) ON cur.stage = s.stage
CROSS JOIN LATERAL unnest(v.dates) WITH ORDINALITY AS h(changed_on, n)
JOIN (VALUES (1, 'IDEA'), (2, 'FOUNDING'), (3, 'PROTOTYPE'), (4, 'R_AND_D'), (5, 'MARKETING'),
             (6, 'INVESTMENT'), (7, 'FINANCING'), (8, 'OVERSEAS_EXPANSION')) AS st(ord, stage)
  ON st.ord = cur.ord - (cardinality(v.dates) - h.n)
WHERE NOT EXISTS (SELECT 1 FROM stage_changes x WHERE x.startup_id = s.id AND x.stage = st.stage)
ORDER BY s.id, h.n;

-- Memberships of program cohorts ---------------------------------------------------------
INSERT INTO memberships (cohort_id, startup_id, joined_on, provenance)
SELECT c.id, s.id, v.joined_on::date, 'DEMO'
FROM (VALUES
  -- Smart Venture Campus 2017: the article's 25 teams
  ('smart-venture-campus-2017', 'svc-factorylens', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-moldsense', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-cobot-works', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-edgeplc', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-twinline', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-energylog', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-weldmind', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-lidarbit', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-evcell-care', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-drivetalk', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-v2x-link', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-parkpilot', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-lightframe', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-genetrace', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-biosensa', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-seacollagen', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-cellfarm', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-medi-print', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-dermascan', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-rehabot', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-servebot', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-drone-inspect', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-gripper-lab', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-edubot', '2017-04-03'),
  ('smart-venture-campus-2017', 'svc-portbot', '2017-04-03'),
  -- Global Star Venture 2017
  ('global-star-venture-2017', 'svc-factorylens', '2017-09-01'),
  ('global-star-venture-2017', 'svc-evcell-care', '2017-09-01'),
  ('global-star-venture-2017', 'svc-seacollagen', '2017-09-01'),
  ('global-star-venture-2017', 'svc-genetrace', '2017-09-01'),
  ('global-star-venture-2017', 'svc-smart-pallet', '2017-09-01'),
  ('global-star-venture-2017', 'svc-guidebot', '2017-09-01'),
  -- Design Thinking and Lean Startup workshop 2017
  ('design-thinking-lean-startup-2017', 'svc-energylog', '2017-08-14'),
  ('design-thinking-lean-startup-2017', 'svc-edubot', '2017-08-14'),
  ('design-thinking-lean-startup-2017', 'svc-neurogrip', '2017-08-14'),
  ('design-thinking-lean-startup-2017', 'svc-biofoundry', '2017-08-14'),
  ('design-thinking-lean-startup-2017', 'svc-autoharness', '2017-08-14'),
  ('design-thinking-lean-startup-2017', 'svc-cleanroom-ai', '2017-08-14'),
  ('design-thinking-lean-startup-2017', 'svc-microcar-lab', '2017-08-14')
) AS v(cohort, startup, joined_on)
JOIN cohorts c ON c.key = v.cohort
JOIN startups s ON s.key = v.startup
ON CONFLICT (cohort_id, startup_id) DO UPDATE SET
  joined_on = EXCLUDED.joined_on, provenance = EXCLUDED.provenance;

-- Mentors ----------------------------------------------------------------------------------
-- The 26 task-force experts (task_force_member), then 6 other mentors. A
-- mentor is affiliated with a university or an organization, never both;
-- a few independent experts with neither.
INSERT INTO mentors (key, name_ko, name_en, title_ko, title_en, task_force_member,
                     affiliated_university_id, affiliated_organization_id, languages, provenance)
SELECT v.key, v.name_ko, v.name_en, v.title_ko, v.title_en, v.task_force, u.id, o.id, v.languages, 'DEMO'
FROM (VALUES
  -- Task force: advanced automotive (7)
  ('mentor-kim-minjun', '김민준', 'Kim Min-jun', '자율주행 연구실장', 'Head, autonomous driving lab',
   true, NULL, 'incheon-technopark', '{ko,en}'::text[]),
  ('mentor-lee-seoyeon', '이서연', 'Lee Seo-yeon', '전기차 배터리 전문위원', 'EV battery specialist',
   true, NULL, 'incheon-sw-convergence-cluster-center', '{ko,en}'),
  ('mentor-david-nelson', '데이비드 넬슨', 'David Nelson', '기계공학과 교수', 'Professor of Mechanical Engineering',
   true, 'university-of-utah', NULL, '{en}'),
  ('mentor-park-jihoon', '박지훈', 'Park Ji-hoon', '차량용 반도체 수석연구원', 'Principal engineer, automotive semiconductors',
   true, NULL, NULL, '{ko,ja}'),
  ('mentor-choi-yuna', '최유나', 'Choi Yu-na', '모빌리티 서비스 겸임교수', 'Adjunct professor, mobility services',
   true, 'george-mason-university', NULL, '{ko,en}'),
  ('mentor-jung-hyunwoo', '정현우', 'Jung Hyun-woo', '커넥티드카 보안 연구교수', 'Research professor, connected-car security',
   true, 'suny-korea', NULL, '{ko,en}'),
  ('mentor-wang-lei', '왕레이', 'Wang Lei', '중국 완성차 협력 자문위원', 'Advisor, Chinese automaker partnerships',
   true, NULL, 'incheon-sw-convergence-cluster-center', '{ko,zh}'),
  -- Task force: bio-convergence (6)
  ('mentor-han-jiwoo', '한지우', 'Han Ji-woo', '의공학 교수', 'Professor of Biomedical Engineering',
   true, 'suny-korea', NULL, '{ko,en}'),
  ('mentor-lotte-peeters', '로테 페이터르스', 'Lotte Peeters', '분자생명공학과 교수', 'Professor of Molecular Biotechnology',
   true, 'ghent-university', NULL, '{en,nl}'),
  ('mentor-yoon-seojun', '윤서준', 'Yoon Seo-jun', '바이오 인허가 전문위원', 'Regulatory affairs specialist, bio',
   true, NULL, 'incheon-technopark', '{ko,en}'),
  ('mentor-kang-minseo', '강민서', 'Kang Min-seo', '바이오 벤처 투자심사역', 'Investment manager, bio ventures',
   true, NULL, NULL, '{ko,en}'),
  ('mentor-jan-de-vos', '얀 더보스', 'Jan De Vos', '식품생명공학과 연구교수', 'Research professor, Food and Bio-engineering',
   true, 'ghent-university', NULL, '{en,nl}'),
  ('mentor-lim-soyeon', '임소연', 'Lim So-yeon', '의료기기 임상시험 자문교수', 'Clinical trials advisor, medical devices',
   true, 'university-of-utah', NULL, '{ko,en}'),
  -- Task force: robotics (7)
  ('mentor-song-dohyun', '송도현', 'Song Do-hyun', '로봇 제어 연구실장', 'Head, robot control lab',
   true, NULL, 'incheon-technopark', '{ko,en}'),
  ('mentor-sarah-mitchell', '세라 미첼', 'Sarah Mitchell', '컴퓨터과학과 교수', 'Professor of Computer Science',
   true, 'george-mason-university', NULL, '{en}'),
  ('mentor-oh-jiho', '오지호', 'Oh Ji-ho', '서비스로봇 사업개발 이사', 'Director of business development, service robots',
   true, NULL, NULL, '{ko,ja}'),
  ('mentor-shin-yerin', '신예린', 'Shin Ye-rin', '로봇 제품디자인 매니저', 'Product design manager, robotics',
   true, NULL, 'startup-campus-business-team', '{ko,en}'),
  ('mentor-kwon-taeyang', '권태양', 'Kwon Tae-yang', '기계공학과 교수', 'Professor of Mechanical Engineering',
   true, 'suny-korea', NULL, '{ko,en}'),
  ('mentor-pieter-de-smet', '피터르 더스멧', 'Pieter De Smet', '전자정보시스템학과 교수', 'Professor of Electronics and Information Systems',
   true, 'ghent-university', NULL, '{en,nl}'),
  ('mentor-nguyen-thu-ha', '응우옌 투 하', 'Nguyen Thu Ha', '동남아 로봇시장 자문위원', 'Advisor, Southeast Asian robotics market',
   true, NULL, 'incheon-sw-convergence-cluster-center', '{vi,en,ko}'),
  -- Task force: smart factory (6)
  ('mentor-bae-junseo', '배준서', 'Bae Jun-seo', '스마트공장 보급 전문위원', 'Smart factory deployment specialist',
   true, NULL, 'incheon-technopark', '{ko,en}'),
  ('mentor-hwang-eunji', '황은지', 'Hwang Eun-ji', '산업용 IoT 아키텍트', 'Industrial IoT architect',
   true, NULL, 'incheon-sw-convergence-cluster-center', '{ko,en}'),
  ('mentor-michael-chen', '마이클 첸', 'Michael Chen', '산업공학과 교수', 'Professor of Industrial Engineering',
   true, 'university-of-utah', NULL, '{en,zh}'),
  ('mentor-seo-hayoon', '서하윤', 'Seo Ha-yoon', '제조 데이터 분석 교수', 'Professor of manufacturing data analytics',
   true, 'suny-korea', NULL, '{ko,en}'),
  ('mentor-tran-van-minh', '쩐 반 민', 'Tran Van Minh', '베트남 제조업 진출 자문위원', 'Advisor, manufacturing market entry in Vietnam',
   true, NULL, NULL, '{vi,en}'),
  ('mentor-ahn-sungmin', '안성민', 'Ahn Sung-min', '공정자동화 겸임교수', 'Adjunct professor, process automation',
   true, 'george-mason-university', NULL, '{ko,en}'),
  -- Other mentors (not in the task force)
  ('mentor-emily-carter', '에밀리 카터', 'Emily Carter', '경영학과 교수', 'Professor of Management',
   false, 'george-mason-university', NULL, '{en}'),
  ('mentor-kevin-walsh', '케빈 월시', 'Kevin Walsh', '기업가정신 프로그램 디렉터', 'Director, entrepreneurship program',
   false, 'university-of-utah', NULL, '{en}'),
  ('mentor-an-de-wilde', '안 더빌더', 'An De Wilde', '기술사업화 매니저', 'Technology transfer manager',
   false, 'ghent-university', NULL, '{en,nl}'),
  ('mentor-yoo-jaeyoung', '유재영', 'Yoo Jae-young', '기술경영학과 교수', 'Professor of Technology and Society',
   false, 'suny-korea', NULL, '{ko,en}'),
  ('mentor-cho-minji', '조민지', 'Cho Min-ji', '글로벌 마케팅 매니저', 'Global marketing manager',
   false, NULL, 'incheon-global-campus-foundation', '{ko,en,zh}'),
  ('mentor-moon-seungho', '문승호', 'Moon Seung-ho', '벤처캐피털 파트너', 'Venture capital partner',
   false, NULL, NULL, '{ko,en}')
) AS v(key, name_ko, name_en, title_ko, title_en, task_force, university, organization, languages)
LEFT JOIN universities u ON u.key = v.university
LEFT JOIN organizations o ON o.key = v.organization
ON CONFLICT (key) DO UPDATE SET
  name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en, title_ko = EXCLUDED.title_ko, title_en = EXCLUDED.title_en,
  task_force_member = EXCLUDED.task_force_member, affiliated_university_id = EXCLUDED.affiliated_university_id,
  affiliated_organization_id = EXCLUDED.affiliated_organization_id, languages = EXCLUDED.languages,
  provenance = EXCLUDED.provenance;

-- Mentor sectors: exactly one per task-force expert (7/6/7/6) ----------------------------
INSERT INTO mentor_sectors (mentor_id, sector_id)
SELECT m.id, x.id
FROM (VALUES
  ('mentor-kim-minjun', 'advanced-automotive'), ('mentor-lee-seoyeon', 'advanced-automotive'),
  ('mentor-david-nelson', 'advanced-automotive'), ('mentor-park-jihoon', 'advanced-automotive'),
  ('mentor-choi-yuna', 'advanced-automotive'), ('mentor-jung-hyunwoo', 'advanced-automotive'),
  ('mentor-wang-lei', 'advanced-automotive'),
  ('mentor-han-jiwoo', 'bio-convergence'), ('mentor-lotte-peeters', 'bio-convergence'),
  ('mentor-yoon-seojun', 'bio-convergence'), ('mentor-kang-minseo', 'bio-convergence'),
  ('mentor-jan-de-vos', 'bio-convergence'), ('mentor-lim-soyeon', 'bio-convergence'),
  ('mentor-song-dohyun', 'robotics'), ('mentor-sarah-mitchell', 'robotics'),
  ('mentor-oh-jiho', 'robotics'), ('mentor-shin-yerin', 'robotics'),
  ('mentor-kwon-taeyang', 'robotics'), ('mentor-pieter-de-smet', 'robotics'),
  ('mentor-nguyen-thu-ha', 'robotics'),
  ('mentor-bae-junseo', 'smart-factory'), ('mentor-hwang-eunji', 'smart-factory'),
  ('mentor-michael-chen', 'smart-factory'), ('mentor-seo-hayoon', 'smart-factory'),
  ('mentor-tran-van-minh', 'smart-factory'), ('mentor-ahn-sungmin', 'smart-factory'),
  -- other mentors: their fields of expertise
  ('mentor-an-de-wilde', 'bio-convergence'),
  ('mentor-yoo-jaeyoung', 'robotics'), ('mentor-yoo-jaeyoung', 'smart-factory'),
  ('mentor-moon-seungho', 'advanced-automotive'), ('mentor-moon-seungho', 'smart-factory')
) AS v(mentor, sector)
JOIN mentors m ON m.key = v.mentor
JOIN sectors x ON x.key = v.sector
ON CONFLICT (mentor_id, sector_id) DO NOTHING;

-- University assignments --------------------------------------------------------------------
-- SUNY Korea and Ghent University have disjoint sets of teams. Two teams are
-- assigned to two universities: svc-v2x-link (SUNY Korea + George Mason) and
-- svc-cellfarm (Ghent + Utah). Ghent's teams all target the EU market,
-- George Mason's the US market (see market targets).
INSERT INTO assignments (university_id, startup_id, purpose, status, since, until, provenance)
SELECT u.id, s.id, v.purpose, v.status, v.since::date, v.until::date, 'DEMO'
FROM (VALUES
  -- SUNY Korea
  ('suny-korea', 'svc-twinline', 'JOINT_PROJECT', 'ACTIVE', '2017-07-17', NULL),
  ('suny-korea', 'svc-v2x-link', 'OVERSEAS_STRATEGY', 'ACTIVE', '2017-08-01', NULL),
  ('suny-korea', 'svc-rehabot', 'JOINT_PROJECT', 'ACTIVE', '2017-07-17', NULL),
  ('suny-korea', 'svc-dermascan', 'INTERNSHIP', 'COMPLETED', '2017-06-26', '2017-12-22'),
  ('suny-korea', 'svc-guidebot', 'JOINT_PROJECT', 'ACTIVE', '2017-09-04', NULL),
  -- University of Utah
  ('university-of-utah', 'svc-evcell-care', 'JOINT_PROJECT', 'ACTIVE', '2017-07-24', NULL),
  ('university-of-utah', 'svc-medi-print', 'JOINT_PROJECT', 'ACTIVE', '2017-08-07', NULL),
  ('university-of-utah', 'svc-energylog', 'OVERSEAS_STRATEGY', 'ACTIVE', '2017-09-11', NULL),
  ('university-of-utah', 'svc-drone-inspect', 'INTERNSHIP', 'COMPLETED', '2017-07-03', '2017-12-15'),
  ('university-of-utah', 'svc-neurogrip', 'JOINT_PROJECT', 'ACTIVE', '2017-09-04', NULL),
  ('university-of-utah', 'svc-cellfarm', 'INTERNSHIP', 'ACTIVE', '2018-01-08', NULL),
  -- Ghent University
  ('ghent-university', 'svc-genetrace', 'JOINT_PROJECT', 'ACTIVE', '2017-07-10', NULL),
  ('ghent-university', 'svc-seacollagen', 'OVERSEAS_STRATEGY', 'ACTIVE', '2017-06-26', NULL),
  ('ghent-university', 'svc-cellfarm', 'JOINT_PROJECT', 'ACTIVE', '2017-07-10', NULL),
  ('ghent-university', 'svc-gripper-lab', 'OVERSEAS_STRATEGY', 'ACTIVE', '2017-09-18', NULL),
  ('ghent-university', 'svc-biofoundry', 'INTERNSHIP', 'COMPLETED', '2017-08-21', '2018-02-09'),
  -- George Mason University
  ('george-mason-university', 'svc-lidarbit', 'OVERSEAS_STRATEGY', 'ACTIVE', '2017-07-03', NULL),
  ('george-mason-university', 'svc-lidarbit', 'INTERNSHIP', 'COMPLETED', '2017-07-03', '2017-12-22'),
  ('george-mason-university', 'svc-drivetalk', 'JOINT_PROJECT', 'ACTIVE', '2017-07-24', NULL),
  ('george-mason-university', 'svc-servebot', 'OVERSEAS_STRATEGY', 'ACTIVE', '2017-08-14', NULL),
  ('george-mason-university', 'svc-edubot', 'INTERNSHIP', 'COMPLETED', '2017-09-04', '2018-01-31'),
  ('george-mason-university', 'svc-v2x-link', 'JOINT_PROJECT', 'ACTIVE', '2017-08-01', NULL)
) AS v(university, startup, purpose, status, since, until)
JOIN universities u ON u.key = v.university
JOIN startups s ON s.key = v.startup
ON CONFLICT (university_id, startup_id, purpose) DO UPDATE SET
  status = EXCLUDED.status, since = EXCLUDED.since, until = EXCLUDED.until, provenance = EXCLUDED.provenance;

-- Mentorships ------------------------------------------------------------------------------------
-- Every Smart Venture Campus team has 1-3 mentors. Six pairs of startups
-- share two mentors (listed at the top of this file), e.g. svc-factorylens &
-- svc-moldsense (Bae Jun-seo, Tran Van Minh) and svc-lidarbit & svc-v2x-link
-- (Kim Min-jun, Choi Yu-na).
-- A mentorship is identified by (mentor, startup).
INSERT INTO mentorships (mentor_id, startup_id, focus, since, until, provenance)
SELECT m.id, s.id, v.focus, v.since::date, v.until::date, 'DEMO'
FROM (VALUES
  ('mentor-bae-junseo', 'svc-factorylens', 'Smart factory deployment', '2017-04-10', NULL),
  ('mentor-tran-van-minh', 'svc-factorylens', 'Market entry: Vietnam', '2017-05-08', NULL),
  ('mentor-moon-seungho', 'svc-factorylens', 'Series A preparation', '2017-09-04', '2018-06-30'),
  ('mentor-bae-junseo', 'svc-moldsense', 'Sensor retrofit for molds', '2017-04-10', NULL),
  ('mentor-tran-van-minh', 'svc-moldsense', 'Market entry: Vietnam', '2017-05-08', NULL),
  ('mentor-seo-hayoon', 'svc-moldsense', 'Sensor data analytics', '2017-04-17', '2017-12-29'),
  ('mentor-ahn-sungmin', 'svc-cobot-works', 'Process automation', '2017-04-17', NULL),
  ('mentor-song-dohyun', 'svc-cobot-works', 'Robot control', '2017-05-15', NULL),
  ('mentor-hwang-eunji', 'svc-edgeplc', 'Industrial IoT architecture', '2017-04-17', NULL),
  ('mentor-tran-van-minh', 'svc-edgeplc', 'Market entry: Vietnam', '2017-06-05', NULL),
  ('mentor-seo-hayoon', 'svc-twinline', 'Digital-twin data models', '2017-04-24', NULL),
  ('mentor-michael-chen', 'svc-twinline', 'Prototype design', '2017-05-02', '2017-12-15'),
  ('mentor-michael-chen', 'svc-energylog', 'Energy analytics prototype', '2017-07-10', NULL),
  ('mentor-kevin-walsh', 'svc-energylog', 'Market entry: US', '2017-09-11', NULL),
  ('mentor-ahn-sungmin', 'svc-weldmind', 'Weld quality analytics', '2017-04-24', NULL),
  ('mentor-park-jihoon', 'svc-weldmind', 'Automotive supplier channels', '2017-05-22', NULL),
  ('mentor-kim-minjun', 'svc-lidarbit', 'Autonomous driving validation', '2017-04-10', NULL),
  ('mentor-choi-yuna', 'svc-lidarbit', 'Market entry: US', '2017-05-01', NULL),
  ('mentor-moon-seungho', 'svc-lidarbit', 'Pre-Series A preparation', '2017-10-09', '2018-03-30'),
  ('mentor-lee-seoyeon', 'svc-evcell-care', 'Battery diagnostics R&D', '2017-04-10', NULL),
  ('mentor-wang-lei', 'svc-evcell-care', 'Market entry: China', '2017-06-12', NULL),
  ('mentor-david-nelson', 'svc-evcell-care', 'Joint research: battery aging', '2017-05-15', NULL),
  ('mentor-choi-yuna', 'svc-drivetalk', 'Market entry: US', '2017-04-24', NULL),
  ('mentor-jung-hyunwoo', 'svc-drivetalk', 'Voice data security', '2017-05-29', NULL),
  ('mentor-jung-hyunwoo', 'svc-v2x-link', 'Connected-car security', '2017-04-17', NULL),
  ('mentor-kim-minjun', 'svc-v2x-link', 'V2X field testing', '2017-05-08', NULL),
  ('mentor-choi-yuna', 'svc-v2x-link', 'Market entry: US', '2017-09-04', NULL),
  ('mentor-kim-minjun', 'svc-parkpilot', 'Prototype design', '2017-05-15', NULL),
  ('mentor-oh-jiho', 'svc-parkpilot', 'Robotics integration', '2017-06-19', NULL),
  ('mentor-park-jihoon', 'svc-lightframe', 'Supplier qualification', '2017-04-24', NULL),
  ('mentor-david-nelson', 'svc-lightframe', 'Composite materials testing', '2017-06-05', '2017-12-20'),
  ('mentor-lotte-peeters', 'svc-genetrace', 'Market entry: EU', '2017-04-17', NULL),
  ('mentor-yoon-seojun', 'svc-genetrace', 'CE-IVD certification', '2017-05-22', NULL),
  ('mentor-kang-minseo', 'svc-genetrace', 'Seed round preparation', '2017-08-07', '2017-12-29'),
  ('mentor-han-jiwoo', 'svc-biosensa', 'Prototype design', '2017-04-24', NULL),
  ('mentor-lim-soyeon', 'svc-biosensa', 'Clinical validation', '2017-06-19', NULL),
  ('mentor-jan-de-vos', 'svc-seacollagen', 'Market entry: EU', '2017-04-10', NULL),
  ('mentor-yoon-seojun', 'svc-seacollagen', 'Regulatory approval', '2017-05-08', NULL),
  ('mentor-cho-minji', 'svc-seacollagen', 'Global marketing', '2017-07-03', NULL),
  ('mentor-lotte-peeters', 'svc-cellfarm', 'Joint research: cell culture', '2017-04-24', NULL),
  ('mentor-jan-de-vos', 'svc-cellfarm', 'Process scale-up', '2017-05-15', NULL),
  ('mentor-song-dohyun', 'svc-cellfarm', 'Lab automation', '2017-06-12', NULL),
  ('mentor-lim-soyeon', 'svc-medi-print', 'Clinical validation', '2017-05-01', NULL),
  ('mentor-han-jiwoo', 'svc-medi-print', 'Biomaterials R&D', '2017-06-05', NULL),
  ('mentor-han-jiwoo', 'svc-dermascan', 'AI model validation', '2017-04-17', NULL),
  ('mentor-yoo-jaeyoung', 'svc-dermascan', 'Internship coordination', '2017-06-26', '2017-12-22'),
  ('mentor-kwon-taeyang', 'svc-rehabot', 'Exoskeleton control', '2017-04-24', NULL),
  ('mentor-lim-soyeon', 'svc-rehabot', 'Clinical trials', '2017-07-17', NULL),
  ('mentor-sarah-mitchell', 'svc-servebot', 'Market entry: US', '2017-04-10', NULL),
  ('mentor-oh-jiho', 'svc-servebot', 'Service robot sales channels', '2017-05-08', NULL),
  ('mentor-emily-carter', 'svc-servebot', 'Go-to-market strategy', '2017-06-19', NULL),
  ('mentor-nguyen-thu-ha', 'svc-drone-inspect', 'Market entry: Southeast Asia', '2017-05-15', NULL),
  ('mentor-shin-yerin', 'svc-drone-inspect', 'Product design', '2017-06-05', NULL),
  ('mentor-pieter-de-smet', 'svc-gripper-lab', 'Soft actuator research', '2017-04-17', NULL),
  ('mentor-shin-yerin', 'svc-gripper-lab', 'Prototype design', '2017-08-21', NULL),
  ('mentor-sarah-mitchell', 'svc-edubot', 'Curriculum design', '2017-05-01', '2017-12-15'),
  ('mentor-song-dohyun', 'svc-portbot', 'Autonomous navigation', '2017-04-10', NULL),
  ('mentor-nguyen-thu-ha', 'svc-portbot', 'Market entry: Singapore', '2017-07-24', NULL),
  -- other campus residents
  ('mentor-lee-seoyeon', 'svc-hydromobility', 'Fuel-cell powertrain', '2017-07-10', NULL),
  ('mentor-wang-lei', 'svc-hydromobility', 'Market entry: China', '2017-09-18', NULL),
  ('mentor-tran-van-minh', 'svc-smart-pallet', 'Market entry: Vietnam', '2017-03-13', NULL),
  ('mentor-hwang-eunji', 'svc-smart-pallet', 'Series A preparation', '2017-10-16', NULL),
  ('mentor-lim-soyeon', 'svc-neurogrip', 'Clinical validation', '2017-08-07', NULL),
  ('mentor-kevin-walsh', 'svc-neurogrip', 'Commercialization', '2017-09-04', NULL),
  ('mentor-an-de-wilde', 'svc-biofoundry', 'Technology transfer', '2017-08-21', '2018-02-09'),
  ('mentor-park-jihoon', 'svc-autoharness', 'Supplier qualification', '2017-10-02', NULL),
  ('mentor-yoon-seojun', 'svc-cleanroom-ai', 'GMP compliance', '2017-09-11', NULL),
  ('mentor-kwon-taeyang', 'svc-guidebot', 'Airport deployment', '2017-07-17', NULL),
  ('mentor-cho-minji', 'svc-guidebot', 'Global marketing', '2017-08-14', NULL)
) AS v(mentor, startup, focus, since, until)
JOIN mentors m ON m.key = v.mentor
JOIN startups s ON s.key = v.startup
WHERE NOT EXISTS (SELECT 1 FROM mentorships x WHERE x.mentor_id = m.id AND x.startup_id = s.id);

-- Investments --------------------------------------------------------------------------------------
-- The national grant: one GRANT to each of the 25 Smart Venture Campus 2017
-- teams, 10 x 90,000,000 + 15 x 70,000,000 = 1,950,000,000 KRW (the article's
-- total; the split is invented). Then the Creative Growth Venture Fund's
-- rounds, 14,700,000,000 KRW in all.
-- An investment is identified by (fund, startup, round).
INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round, provenance)
SELECT f.id, s.id, v.amount_krw, v.invested_on::date, v.round, 'DEMO'
FROM (VALUES
  ('smart-venture-campus-national-grant', 'svc-factorylens', 90000000::bigint, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-moldsense', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-cobot-works', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-lidarbit', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-evcell-care', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-drivetalk', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-genetrace', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-seacollagen', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-cellfarm', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-servebot', 90000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-edgeplc', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-twinline', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-energylog', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-weldmind', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-v2x-link', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-parkpilot', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-lightframe', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-biosensa', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-medi-print', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-dermascan', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-rehabot', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-drone-inspect', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-gripper-lab', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-edubot', 70000000, '2017-05-15', 'GRANT'),
  ('smart-venture-campus-national-grant', 'svc-portbot', 70000000, '2017-05-15', 'GRANT'),
  -- Creative Growth Venture Fund
  ('creative-growth-venture-fund', 'svc-factorylens', 500000000, '2017-08-21', 'SEED'),
  ('creative-growth-venture-fund', 'svc-factorylens', 2500000000, '2018-06-11', 'SERIES_A'),
  ('creative-growth-venture-fund', 'svc-moldsense', 400000000, '2017-10-16', 'SEED'),
  ('creative-growth-venture-fund', 'svc-cobot-works', 900000000, '2018-01-29', 'PRE_SERIES_A'),
  ('creative-growth-venture-fund', 'svc-lidarbit', 1500000000, '2018-02-12', 'PRE_SERIES_A'),
  ('creative-growth-venture-fund', 'svc-evcell-care', 3000000000, '2018-09-03', 'SERIES_A'),
  ('creative-growth-venture-fund', 'svc-genetrace', 600000000, '2017-11-20', 'SEED'),
  ('creative-growth-venture-fund', 'svc-cellfarm', 1000000000, '2018-04-23', 'PRE_SERIES_A'),
  ('creative-growth-venture-fund', 'svc-servebot', 300000000, '2017-09-25', 'SEED'),
  ('creative-growth-venture-fund', 'svc-hydromobility', 800000000, '2017-12-11', 'SEED'),
  ('creative-growth-venture-fund', 'svc-smart-pallet', 1200000000, '2018-03-05', 'PRE_SERIES_A'),
  ('creative-growth-venture-fund', 'svc-guidebot', 2000000000, '2018-07-30', 'SERIES_A')
) AS v(fund, startup, amount_krw, invested_on, round)
JOIN funds f ON f.key = v.fund
JOIN startups s ON s.key = v.startup
WHERE NOT EXISTS (SELECT 1 FROM investments x WHERE x.fund_id = f.id AND x.startup_id = s.id AND x.round = v.round);

-- Market targets ------------------------------------------------------------------------------------
-- program: the global-expansion program that supports the entry, if any.
INSERT INTO market_targets (startup_id, market_id, status, priority, program_id, since, provenance)
SELECT s.id, mk.id, v.status, v.priority, p.id, v.since::date, 'DEMO'
FROM (VALUES
  -- smart factory: Vietnam and Southeast Asia
  ('svc-factorylens', 'vn', 'ENTERED', 1, 'product-localization-support', '2017-09-04'),
  ('svc-factorylens', 'southeast-asia', 'LOCALIZING', 2, 'global-star-venture', '2017-10-02'),
  ('svc-factorylens', 'cn', 'EXPLORING', 3, NULL, '2018-02-05'),
  ('svc-moldsense', 'vn', 'LOCALIZING', 1, 'product-localization-support', '2017-10-23'),
  ('svc-moldsense', 'cn', 'EXPLORING', 3, NULL, '2018-01-15'),
  ('svc-cobot-works', 'vn', 'EXPLORING', 2, NULL, '2018-02-19'),
  ('svc-cobot-works', 'jp', 'EXPLORING', 3, NULL, '2018-03-05'),
  ('svc-edgeplc', 'vn', 'EXPLORING', 1, NULL, '2017-11-13'),
  ('svc-twinline', 'us', 'EXPLORING', 2, NULL, '2017-09-18'),
  ('svc-energylog', 'us', 'EXPLORING', 2, NULL, '2017-10-09'),
  ('svc-weldmind', 'de', 'EXPLORING', 2, NULL, '2017-11-20'),
  ('svc-smart-pallet', 'vn', 'ENTERED', 1, 'product-localization-support', '2017-07-03'),
  ('svc-smart-pallet', 'southeast-asia', 'LOCALIZING', 2, 'global-star-venture', '2017-10-16'),
  -- advanced automotive
  ('svc-lidarbit', 'us', 'LOCALIZING', 1, 'product-localization-support', '2017-08-14'),
  ('svc-lidarbit', 'jp', 'EXPLORING', 3, NULL, '2018-01-08'),
  ('svc-evcell-care', 'cn', 'ENTERED', 1, 'global-star-venture', '2017-09-25'),
  ('svc-evcell-care', 'us', 'EXPLORING', 3, NULL, '2018-03-12'),
  ('svc-drivetalk', 'us', 'LOCALIZING', 1, 'product-localization-support', '2017-08-28'),
  ('svc-v2x-link', 'us', 'EXPLORING', 1, NULL, '2017-09-11'),
  ('svc-v2x-link', 'de', 'EXPLORING', 4, NULL, '2018-02-26'),
  ('svc-parkpilot', 'jp', 'EXPLORING', 2, NULL, '2018-01-22'),
  ('svc-hydromobility', 'cn', 'EXPLORING', 1, NULL, '2017-10-23'),
  ('svc-hydromobility', 'de', 'EXPLORING', 2, NULL, '2018-01-15'),
  -- bio-convergence: the EU for Ghent's teams
  ('svc-genetrace', 'eu', 'LOCALIZING', 1, 'product-localization-support', '2017-09-04'),
  ('svc-genetrace', 'be', 'ENTERED', 2, 'global-star-venture', '2018-02-26'),
  ('svc-seacollagen', 'eu', 'ENTERED', 1, 'global-star-venture', '2017-06-26'),
  ('svc-seacollagen', 'cn', 'ENTERED', 2, NULL, '2017-03-20'),
  ('svc-seacollagen', 'sg', 'EXPLORING', 3, NULL, '2018-04-09'),
  ('svc-cellfarm', 'eu', 'EXPLORING', 1, NULL, '2017-10-16'),
  ('svc-cellfarm', 'be', 'LOCALIZING', 2, 'product-localization-support', '2018-05-14'),
  ('svc-cellfarm', 'us', 'EXPLORING', 3, NULL, '2018-06-04'),
  ('svc-dermascan', 'sg', 'LOCALIZING', 1, 'product-localization-support', '2018-01-29'),
  ('svc-dermascan', 'cn', 'EXPLORING', 2, NULL, '2017-12-04'),
  ('svc-biofoundry', 'eu', 'EXPLORING', 1, NULL, '2017-11-13'),
  ('svc-biofoundry', 'nl', 'EXPLORING', 2, NULL, '2018-03-05'),
  -- robotics
  ('svc-rehabot', 'us', 'EXPLORING', 2, NULL, '2017-11-27'),
  ('svc-servebot', 'us', 'LOCALIZING', 1, 'product-localization-support', '2017-10-30'),
  ('svc-servebot', 'sg', 'EXPLORING', 3, NULL, '2018-02-05'),
  ('svc-drone-inspect', 'southeast-asia', 'EXPLORING', 1, NULL, '2017-09-25'),
  ('svc-drone-inspect', 'vn', 'EXPLORING', 2, NULL, '2017-12-11'),
  ('svc-gripper-lab', 'eu', 'EXPLORING', 1, NULL, '2017-10-09'),
  ('svc-gripper-lab', 'de', 'EXPLORING', 2, NULL, '2018-03-19'),
  ('svc-edubot', 'us', 'EXPLORING', 3, NULL, '2017-11-06'),
  ('svc-portbot', 'sg', 'EXPLORING', 1, NULL, '2017-09-04'),
  ('svc-portbot', 'southeast-asia', 'EXPLORING', 2, NULL, '2017-11-20'),
  ('svc-neurogrip', 'us', 'EXPLORING', 1, NULL, '2018-01-08'),
  ('svc-guidebot', 'sg', 'ENTERED', 1, 'global-star-venture', '2017-11-06'),
  ('svc-guidebot', 'jp', 'LOCALIZING', 2, 'product-localization-support', '2018-02-12'),
  ('svc-guidebot', 'us', 'EXPLORING', 3, NULL, '2018-05-21')
) AS v(startup, market, status, priority, program, since)
JOIN startups s ON s.key = v.startup
JOIN markets mk ON mk.key = v.market
LEFT JOIN programs p ON p.key = v.program
ON CONFLICT (startup_id, market_id) DO UPDATE SET
  status = EXCLUDED.status, priority = EXCLUDED.priority, program_id = EXCLUDED.program_id,
  since = EXCLUDED.since, provenance = EXCLUDED.provenance;

-- Outcomes ---------------------------------------------------------------------------------------
-- quantity: patents, contracts or jobs; amount_krw: investment attracted or
-- export contract value. An outcome is identified by (startup, kind,
-- reported_on, market).
INSERT INTO outcomes (startup_id, kind, reported_on, quantity, amount_krw, market_id, note, provenance)
SELECT s.id, v.kind, v.reported_on::date, v.quantity, v.amount_krw, mk.id, v.note, 'DEMO'
FROM (VALUES
  ('svc-factorylens', 'PATENT_DOMESTIC', '2017-06-30', 3, NULL::bigint, NULL, NULL),
  ('svc-factorylens', 'PATENT_FOREIGN', '2018-03-31', 1, NULL, 'vn', 'Vision inspection method, filed in Vietnam'),
  ('svc-factorylens', 'INVESTMENT_ATTRACTED', '2018-06-30', 2, 3000000000, NULL, 'Seed and Series A'),
  ('svc-factorylens', 'EXPORT_CONTRACT', '2018-06-30', 1, 850000000, 'vn', 'Inspection lines for an electronics plant'),
  ('svc-factorylens', 'JOBS_CREATED', '2018-06-30', 12, NULL, NULL, NULL),
  ('svc-moldsense', 'PATENT_DOMESTIC', '2017-09-30', 2, NULL, NULL, NULL),
  ('svc-moldsense', 'INVESTMENT_ATTRACTED', '2017-12-31', 1, 400000000, NULL, 'Seed'),
  ('svc-moldsense', 'EXPORT_CONTRACT', '2018-03-31', 1, 320000000, 'vn', 'Mold sensors for an auto-parts maker'),
  ('svc-moldsense', 'JOBS_CREATED', '2017-12-31', 5, NULL, NULL, NULL),
  ('svc-cobot-works', 'PATENT_DOMESTIC', '2017-12-31', 2, NULL, NULL, NULL),
  ('svc-cobot-works', 'INVESTMENT_ATTRACTED', '2018-03-31', 1, 900000000, NULL, 'Pre-Series A'),
  ('svc-cobot-works', 'JOBS_CREATED', '2018-03-31', 6, NULL, NULL, NULL),
  ('svc-edgeplc', 'PATENT_DOMESTIC', '2017-12-31', 1, NULL, NULL, NULL),
  ('svc-twinline', 'PATENT_DOMESTIC', '2018-03-31', 1, NULL, NULL, NULL),
  ('svc-lidarbit', 'PATENT_DOMESTIC', '2017-09-30', 4, NULL, NULL, NULL),
  ('svc-lidarbit', 'PATENT_FOREIGN', '2018-03-31', 2, NULL, 'us', 'Solid-state beam steering'),
  ('svc-lidarbit', 'INVESTMENT_ATTRACTED', '2018-03-31', 1, 1500000000, NULL, 'Pre-Series A'),
  ('svc-lidarbit', 'JOBS_CREATED', '2018-03-31', 8, NULL, NULL, NULL),
  ('svc-evcell-care', 'PATENT_DOMESTIC', '2017-06-30', 5, NULL, NULL, NULL),
  ('svc-evcell-care', 'PATENT_FOREIGN', '2017-12-31', 2, NULL, 'cn', NULL),
  ('svc-evcell-care', 'EXPORT_CONTRACT', '2018-06-30', 1, 1200000000, 'cn', 'Battery diagnostics for an EV maker'),
  ('svc-evcell-care', 'INVESTMENT_ATTRACTED', '2018-09-30', 1, 3000000000, NULL, 'Series A'),
  ('svc-evcell-care', 'JOBS_CREATED', '2018-09-30', 15, NULL, NULL, NULL),
  ('svc-drivetalk', 'PATENT_DOMESTIC', '2017-12-31', 2, NULL, NULL, NULL),
  ('svc-drivetalk', 'JOBS_CREATED', '2017-12-31', 4, NULL, NULL, NULL),
  ('svc-genetrace', 'PATENT_DOMESTIC', '2017-06-30', 3, NULL, NULL, NULL),
  ('svc-genetrace', 'PATENT_FOREIGN', '2018-03-31', 1, NULL, 'eu', 'European patent application'),
  ('svc-genetrace', 'INVESTMENT_ATTRACTED', '2017-12-31', 1, 600000000, NULL, 'Seed'),
  ('svc-genetrace', 'JOBS_CREATED', '2017-12-31', 5, NULL, NULL, NULL),
  ('svc-seacollagen', 'PATENT_DOMESTIC', '2017-06-30', 2, NULL, NULL, NULL),
  ('svc-seacollagen', 'EXPORT_CONTRACT', '2017-09-30', 1, 540000000, 'cn', 'Cosmetics ingredients'),
  ('svc-seacollagen', 'EXPORT_CONTRACT', '2018-03-31', 2, 780000000, 'eu', 'Food supplement ingredients'),
  ('svc-seacollagen', 'JOBS_CREATED', '2017-12-31', 9, NULL, NULL, NULL),
  ('svc-cellfarm', 'PATENT_DOMESTIC', '2017-12-31', 2, NULL, NULL, NULL),
  ('svc-cellfarm', 'INVESTMENT_ATTRACTED', '2018-06-30', 1, 1000000000, NULL, 'Pre-Series A'),
  ('svc-dermascan', 'PATENT_DOMESTIC', '2017-09-30', 1, NULL, NULL, NULL),
  ('svc-dermascan', 'EXPORT_CONTRACT', '2018-06-30', 1, 150000000, 'sg', 'Devices for a cosmetics retailer'),
  ('svc-servebot', 'PATENT_DOMESTIC', '2017-09-30', 3, NULL, NULL, NULL),
  ('svc-servebot', 'INVESTMENT_ATTRACTED', '2017-12-31', 1, 300000000, NULL, 'Seed'),
  ('svc-servebot', 'EXPORT_CONTRACT', '2018-06-30', 1, 410000000, 'us', 'Serving robots for a restaurant chain'),
  ('svc-servebot', 'JOBS_CREATED', '2018-06-30', 7, NULL, NULL, NULL),
  ('svc-drone-inspect', 'PATENT_DOMESTIC', '2017-12-31', 1, NULL, NULL, NULL),
  ('svc-drone-inspect', 'JOBS_CREATED', '2017-12-31', 3, NULL, NULL, NULL),
  ('svc-portbot', 'PATENT_DOMESTIC', '2018-03-31', 1, NULL, NULL, NULL),
  ('svc-smart-pallet', 'PATENT_DOMESTIC', '2017-06-30', 3, NULL, NULL, NULL),
  ('svc-smart-pallet', 'PATENT_FOREIGN', '2017-12-31', 1, NULL, 'vn', NULL),
  ('svc-smart-pallet', 'EXPORT_CONTRACT', '2017-12-31', 1, 960000000, 'vn', 'Pallets for a logistics center'),
  ('svc-smart-pallet', 'INVESTMENT_ATTRACTED', '2018-03-31', 1, 1200000000, NULL, 'Pre-Series A'),
  ('svc-smart-pallet', 'JOBS_CREATED', '2018-03-31', 10, NULL, NULL, NULL),
  ('svc-guidebot', 'PATENT_DOMESTIC', '2017-06-30', 6, NULL, NULL, NULL),
  ('svc-guidebot', 'PATENT_FOREIGN', '2017-12-31', 3, NULL, NULL, 'US, Japan and Singapore filings'),
  ('svc-guidebot', 'EXPORT_CONTRACT', '2018-03-31', 1, 1450000000, 'sg', 'Guide robots for an airport'),
  ('svc-guidebot', 'EXPORT_CONTRACT', '2018-09-30', 1, 620000000, 'jp', 'Guide robots for exhibition halls'),
  ('svc-guidebot', 'INVESTMENT_ATTRACTED', '2018-09-30', 1, 2000000000, NULL, 'Series A'),
  ('svc-guidebot', 'JOBS_CREATED', '2018-09-30', 18, NULL, NULL, NULL),
  ('svc-hydromobility', 'PATENT_DOMESTIC', '2017-12-31', 2, NULL, NULL, NULL),
  ('svc-hydromobility', 'INVESTMENT_ATTRACTED', '2017-12-31', 1, 800000000, NULL, 'Seed')
) AS v(startup, kind, reported_on, quantity, amount_krw, market, note)
JOIN startups s ON s.key = v.startup
LEFT JOIN markets mk ON mk.key = v.market
WHERE NOT EXISTS (SELECT 1 FROM outcomes x
                  WHERE x.startup_id = s.id AND x.kind = v.kind AND x.reported_on = v.reported_on::date
                    AND x.market_id IS NOT DISTINCT FROM mk.id);
