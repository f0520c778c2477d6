-- Mentors' overseas-market experience (invented for the demo): the markets
-- their mentorships point to (the "Market entry" focuses of 02_graph.sql),
-- their home markets, and the campus's European partners. Idempotent: a
-- pair already present keeps its row.
INSERT INTO mentor_markets (mentor_id, market_id, since, note, provenance)
SELECT m.id, k.id, v.since::date, v.note, 'DEMO'
FROM (VALUES
  ('mentor-tran-van-minh', 'vn', '2009-03-01', 'Ran a Korean manufacturer''s plant in Hai Phong'),
  ('mentor-tran-van-minh', 'southeast-asia', '2012-06-01', 'Distribution partners across ASEAN'),
  ('mentor-kevin-walsh', 'us', '2005-09-01', 'Medical-device commercialization in the US'),
  ('mentor-choi-yuna', 'us', '2014-01-15', 'Mobility pilots with US cities'),
  ('mentor-david-nelson', 'us', '2001-08-20', NULL),
  ('mentor-wang-lei', 'cn', '2008-04-01', 'Partnerships with Chinese automakers'),
  ('mentor-lotte-peeters', 'be', '2006-10-01', 'Biotech spin-offs in Flanders'),
  ('mentor-lotte-peeters', 'eu', '2011-02-01', 'EU research funding'),
  ('mentor-park-jihoon', 'jp', '2010-05-01', 'Automotive semiconductor suppliers in Japan')
) AS v(mentor, market, since, note)
JOIN mentors m ON m.key = v.mentor
JOIN markets k ON k.key = v.market
ON CONFLICT (mentor_id, market_id) DO NOTHING;
