use strict;
use warnings;
use FindBin;

do "$FindBin::Bin/solution.pl";
die $@ if $@;
my $driver_answer = solve(3);
print "$driver_answer\n";
