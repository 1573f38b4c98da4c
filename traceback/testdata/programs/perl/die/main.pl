use strict;
use warnings;
use FindBin;

do "$FindBin::Bin/solution.pl";
die $@ if $@;
for my $driver_case (3, 0) {
    print solve($driver_case), "\n";
}
