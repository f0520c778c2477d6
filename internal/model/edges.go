package model

// The schema's Edge and Connection types are generated from the
// relationship declarations (internal/relation) into relations_gen.go:
// every connection embeds Connection; every edge has a cursor and a node,
// and edges of relationships carry the relationship's facts. Here: what
// an investment's edges add, the investment's figures read from the edge.

// Amount is the amount of the edge's investment.
func (e InvestorEdge) Amount() KRW { return e.Investment.Amount }

// InvestedOn is the date of the edge's investment.
func (e InvestorEdge) InvestedOn() Date { return e.Investment.InvestedOn }

// Round is the round of the edge's investment.
func (e InvestorEdge) Round() InvestmentRound { return e.Investment.Round }

// Amount is the amount of the edge's investment.
func (e PortfolioEdge) Amount() KRW { return e.Investment.Amount }

// InvestedOn is the date of the edge's investment.
func (e PortfolioEdge) InvestedOn() Date { return e.Investment.InvestedOn }

// Round is the round of the edge's investment.
func (e PortfolioEdge) Round() InvestmentRound { return e.Investment.Round }
